package dev.etcetera.it;

import java.util.ArrayList;
import java.util.List;

/** A readable line diff (longest common subsequence) of two transcripts, for failure messages. */
final class LineDiff {
    private LineDiff() {
    }

    /**
     * Lines only in {@code left} are prefixed {@code "- "}, only in {@code right} {@code "+ "}, common lines
     * {@code "  "}; runs of more than {@code 2 * context} unchanged lines are elided.
     */
    static String diff(String leftName, String left, String rightName, String right, int context) {
        String[] a = left.split("\n", -1);
        String[] b = right.split("\n", -1);
        int[][] lcs = new int[a.length + 1][b.length + 1];
        for (int i = a.length - 1; i >= 0; i--) {
            for (int j = b.length - 1; j >= 0; j--) {
                lcs[i][j] = a[i].equals(b[j]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        List<String> lines = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < a.length || j < b.length) {
            if (i < a.length && j < b.length && a[i].equals(b[j])) {
                lines.add("  " + a[i++]);
                j++;
            } else if (j < b.length && (i == a.length || lcs[i][j + 1] >= lcs[i + 1][j])) {
                lines.add("+ " + b[j++]);
            } else {
                lines.add("- " + a[i++]);
            }
        }
        StringBuilder out = new StringBuilder("--- " + leftName + "\n+++ " + rightName + "\n");
        boolean[] keep = new boolean[lines.size()];
        for (int k = 0; k < lines.size(); k++) {
            if (!lines.get(k).startsWith("  ")) {
                for (int c = Math.max(0, k - context); c <= Math.min(lines.size() - 1, k + context); c++) {
                    keep[c] = true;
                }
            }
        }
        boolean elided = false;
        for (int k = 0; k < lines.size(); k++) {
            if (keep[k]) {
                out.append(lines.get(k)).append('\n');
                elided = false;
            } else if (!elided) {
                out.append("  ...\n");
                elided = true;
            }
        }
        return out.toString();
    }
}
