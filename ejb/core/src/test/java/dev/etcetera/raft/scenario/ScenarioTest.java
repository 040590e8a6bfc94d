package dev.etcetera.raft.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every scripted scenario in {@code src/test/resources/raft/scenarios/*.txt} and compares the
 * output of each command with the text under its {@code ----} line. With
 * {@code -Draft.rewrite=true} the files are rewritten with the actual output instead; review the
 * diff before committing it.
 *
 * <p>File format: blocks separated by blank lines; a block is optional {@code #} comment lines, one
 * command line, a {@code ----} line, and the expected output (which never contains a blank line).
 */
class ScenarioTest {
    private static final Path DIR = Paths.get("src/test/resources/raft/scenarios");
    private static final boolean REWRITE = Boolean.getBoolean("raft.rewrite");

    record Block(List<String> comments, String command, String expected) {
    }

    @TestFactory
    Stream<DynamicTest> scenarios() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(DIR)) {
            files = s.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
        }
        if (files.size() < Integer.getInteger("raft.minScenarios", 25)) {
            throw new AssertionError("expected at least 25 scenarios, found " + files.size());
        }
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> runFile(f)));
    }

    static List<Block> parse(List<String> lines) {
        List<Block> blocks = new ArrayList<>();
        int i = 0;
        while (i < lines.size()) {
            List<String> comments = new ArrayList<>();
            while (i < lines.size() && (lines.get(i).isBlank() || lines.get(i).startsWith("#"))) {
                if (lines.get(i).startsWith("#")) comments.add(lines.get(i));
                i++;
            }
            if (i >= lines.size()) {
                if (!comments.isEmpty()) blocks.add(new Block(comments, null, null));
                break;
            }
            String cmd = lines.get(i++);
            StringBuilder exp = new StringBuilder();
            if (i < lines.size() && lines.get(i).equals("----")) {
                i++;
                while (i < lines.size() && !lines.get(i).isEmpty()) {
                    if (exp.length() > 0) exp.append('\n');
                    exp.append(lines.get(i++));
                }
            }
            blocks.add(new Block(comments, cmd, exp.toString()));
        }
        return blocks;
    }

    private void runFile(Path f) throws IOException {
        List<Block> blocks = parse(Files.readAllLines(f, StandardCharsets.UTF_8));
        InteractionEnv env = new InteractionEnv();
        StringBuilder rewritten = new StringBuilder();
        List<String> failures = new ArrayList<>();
        for (Block b : blocks) {
            for (String c : b.comments()) rewritten.append(c).append('\n');
            if (b.command() == null) continue;
            String actual = env.run(b.command());
            rewritten.append(b.command()).append("\n----\n").append(actual).append("\n\n");
            if (!REWRITE && !actual.equals(b.expected())) {
                failures.add(f.getFileName() + ": command `" + b.command() + "`\n--- expected\n" + b.expected() + "\n--- actual\n" + actual);
            }
        }
        if (REWRITE) {
            Files.writeString(f, rewritten.toString().replaceAll("\n+$", "\n"), StandardCharsets.UTF_8);
            return;
        }
        if (!failures.isEmpty()) {
            assertEquals("", String.join("\n\n", failures), "scenario output differs (rewrite with -Draft.rewrite=true and review the diff)");
        }
    }
}
