package dev.etcetera.web;

/**
 * Validation of base64 text the way etcd's gateway (Go's {@code encoding/json} with
 * {@code base64.StdEncoding}) judges it, so that a bad {@code key} or {@code value} gets etcd's exact
 * message, {@code illegal base64 data at input byte N}. Decoding itself is left to protobuf's JSON
 * parser once the text is known to be valid.
 */
final class GoBase64 {
    private GoBase64() {
    }

    /** Returns -1 when Go would accept {@code s}, else the byte offset Go reports. */
    static int firstError(String s) {
        int si = 0;
        int n = s.length();
        while (true) {
            int j = 0;
            while (j < 4) {
                if (si == n) {
                    if (j == 0) {
                        return -1;
                    }
                    return si - j;
                }
                char in = s.charAt(si++);
                if (isAlphabet(in)) {
                    j++;
                    continue;
                }
                if (in == '\n' || in == '\r') {
                    continue;
                }
                if (in != '=') {
                    return si - 1;
                }
                // padding reached
                if (j == 0 || j == 1) {
                    return si - 1;
                }
                if (j == 2) {
                    while (si < n && (s.charAt(si) == '\n' || s.charAt(si) == '\r')) {
                        si++;
                    }
                    if (si == n) {
                        return n;
                    }
                    if (s.charAt(si) != '=') {
                        return si - 1;
                    }
                    si++;
                }
                while (si < n && (s.charAt(si) == '\n' || s.charAt(si) == '\r')) {
                    si++;
                }
                return si < n ? si : -1;
            }
        }
    }

    private static boolean isAlphabet(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
    }
}
