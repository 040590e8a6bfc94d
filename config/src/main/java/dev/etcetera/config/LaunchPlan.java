package dev.etcetera.config;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The launcher's first step: turns etcd's command line and environment into the system properties
 * of the member JVM, or into help, version or an error. {@code bin/etcetera} runs
 * {@code java -cp etcetera-config.jar dev.etcetera.config.LaunchPlan "$@"} and acts on the result.
 *
 * <p>Contract (all text UTF-8, lines end with '\n'):
 * <ul>
 *   <li>{@code -h}/{@code --help}: the help text on stdout, exit 0.</li>
 *   <li>{@code --version}: {@code etcetera Version: <v>}, {@code etcd API Version: 3.6.0},
 *       {@code Java Version: ...}, {@code OS/Arch: ...} on stdout, exit 0.</li>
 *   <li>Any error: one line {@code etcetera: <message>} on stderr (the message names the flag),
 *       then {@code Run 'etcetera --help' to list the flags.}; nothing on stdout; exit 2.</li>
 *   <li>Success: each warning as {@code etcetera: warning: <message>} on stderr; on stdout one line
 *       per flag, {@code -Detcetera.<flag-name>=<value>}, defaults included, in help order; exit 0.
 *       Values never contain a line break but may contain spaces or be empty.</li>
 * </ul>
 */
public final class LaunchPlan {
    /** Exit code for a configuration error, as Go's flag package uses. */
    public static final int EXIT_USAGE = 2;

    private LaunchPlan() {
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), false, StandardCharsets.UTF_8);
        int code = run(List.of(args), System.getenv(), out, err);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /**
     * Does what {@link #main} does, writing to the given streams.
     *
     * @return the process exit code: 0 or {@link #EXIT_USAGE}
     */
    public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        try {
            CommandLine line = CommandLine.parse(args, env);
            if (line.helpRequested()) {
                out.print(HelpText.render());
                return 0;
            }
            if (line.versionRequested()) {
                out.print(BuildInfo.versionText());
                return 0;
            }
            EtcdConfig config = EtcdConfig.of(line);
            StringBuilder plan = new StringBuilder();
            for (Map.Entry<String, String> e : config.toProperties().entrySet()) {
                plan.append("-D").append(e.getKey()).append('=').append(e.getValue()).append('\n');
            }
            for (String warning : config.warnings()) {
                err.print("etcetera: warning: " + warning + "\n");
            }
            out.print(plan);
            return 0;
        } catch (ConfigException e) {
            err.print("etcetera: " + e.getMessage() + "\n");
            err.print("Run 'etcetera --help' to list the flags.\n");
            return EXIT_USAGE;
        }
    }
}
