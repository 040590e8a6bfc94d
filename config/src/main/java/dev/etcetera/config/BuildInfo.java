package dev.etcetera.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** Version facts printed by {@code --version} and reported by the member. */
public final class BuildInfo {
    /** The etcd API version Etcetera implements and reports (Status, /version). */
    public static final String ETCD_API_VERSION = "3.6.0";

    private static final String VERSION = load();

    private BuildInfo() {
    }

    /** Etcetera's own version (the Maven project version), or "unknown" outside a built jar. */
    public static String version() {
        return VERSION;
    }

    /** The {@code --version} text, etcd's layout with Etcetera's facts, ending with a newline. */
    public static String versionText() {
        return "etcetera Version: " + version() + "\n"
                + "etcd API Version: " + ETCD_API_VERSION + "\n"
                + "Java Version: " + Runtime.version() + "\n"
                + "OS/Arch: " + System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT) + "/"
                + System.getProperty("os.arch") + "\n";
    }

    private static String load() {
        try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
