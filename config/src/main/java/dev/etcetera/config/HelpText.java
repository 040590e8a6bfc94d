package dev.etcetera.config;

import dev.etcetera.config.FlagDefinition.Section;

/** The {@code --help} text, generated from {@link FlagTable} so that it lists every flag. */
public final class HelpText {
    private HelpText() {
    }

    /** The full help text, ending with a newline. */
    public static String render() {
        StringBuilder out = new StringBuilder();
        out.append("""
                Usage:

                  etcetera [flags]
                    Start an Etcetera member: an etcd-compatible key-value store on Payara Micro.

                  etcetera --version
                    Show the versions of Etcetera and of the etcd API it implements.

                  etcetera -h | --help
                    Show this help.

                Flags take etcd's names and defaults (except where noted) and may be written
                --flag=value, --flag value, -flag=value or -flag value; a bool flag alone means true.
                Each flag can also be set by the environment variable ETCD_<FLAG_NAME> (upper case,
                '-' replaced by '_'); a flag on the command line wins over the variable.
                Flags marked "(not implemented yet)" are accepted with a warning and have no effect.
                """);
        Section current = null;
        for (FlagDefinition flag : FlagTable.all()) {
            if (flag.section() != current) {
                current = flag.section();
                out.append('\n').append(current.title()).append(":\n");
            }
            out.append("  --").append(flag.name());
            if (!flag.obsolete()) {
                out.append(" '").append(flag.defaultValue().shown()).append('\'');
            }
            out.append('\n');
            out.append("    ").append(flag.description());
            if (!flag.implemented() && !flag.obsolete()) {
                out.append(" (not implemented yet)");
            }
            out.append('\n');
        }
        out.append("\nUnsafe flags may break the guarantees of the consensus protocol; use them with care.\n");
        return out.toString();
    }
}
