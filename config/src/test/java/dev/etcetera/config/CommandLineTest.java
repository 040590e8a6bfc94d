package dev.etcetera.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandLineTest {

    private static CommandLine parse(String... args) throws ConfigException {
        return CommandLine.parse(List.of(args), Map.of());
    }

    private static ConfigException fails(Map<String, String> env, String... args) {
        return assertThrows(ConfigException.class, () -> CommandLine.parse(List.of(args), env));
    }

    private static ConfigException fails(String... args) {
        return fails(Map.of(), args);
    }

    @Test
    void allFourSpellingsOfAValueFlag() throws ConfigException {
        for (List<String> args : List.of(List.of("--max-txn-ops", "7"), List.of("--max-txn-ops=7"),
                List.of("-max-txn-ops", "7"), List.of("-max-txn-ops=7"))) {
            assertEquals(Map.of("max-txn-ops", "7"), CommandLine.parse(args, Map.of()).explicit(), args.toString());
        }
    }

    @Test
    void valueMayStartWithADashOrContainEquals() throws ConfigException {
        // Go's flag package takes the next argument as the value whatever it looks like
        assertEquals("--odd", parse("--name", "--odd").explicit().get("name"));
        assertEquals("a=b", parse("--name=a=b").explicit().get("name"));
        assertEquals("", parse("--name=").explicit().get("name"));
    }

    @Test
    void boolFlagForms() throws ConfigException {
        assertEquals("true", parse("--force-new-cluster").explicit().get("force-new-cluster"));
        assertEquals("true", parse("-force-new-cluster").explicit().get("force-new-cluster"));
        assertEquals("false", parse("--strict-reconfig-check=false").explicit().get("strict-reconfig-check"));
        assertEquals("true", parse("--strict-reconfig-check=true").explicit().get("strict-reconfig-check"));
        assertEquals("false", parse("--strict-reconfig-check=0").explicit().get("strict-reconfig-check"));
        assertEquals("true", parse("--strict-reconfig-check=T").explicit().get("strict-reconfig-check"));
        // a bool never takes the next argument: "false" is then a stray argument, as in Go
        ConfigException e = fails("--strict-reconfig-check", "false");
        assertEquals("\"false\" is not a valid flag", e.getMessage());
        ConfigException bad = fails("--strict-reconfig-check=yes");
        assertEquals("strict-reconfig-check", bad.flag());
        assertEquals("invalid value \"yes\" for flag --strict-reconfig-check: not a boolean (use true or false)", bad.getMessage());
    }

    @Test
    void lastOccurrenceWins() throws ConfigException {
        assertEquals("b", parse("--name", "a", "--name=b").explicit().get("name"));
    }

    @Test
    void unknownFlagUsesGoWording() {
        ConfigException e = fails("--name", "x", "--foo", "1");
        assertEquals("foo", e.flag());
        assertEquals("flag provided but not defined: --foo", e.getMessage());
        assertEquals("flag provided but not defined: --foo", fails("-foo=1").getMessage());
    }

    @Test
    void missingValue() {
        ConfigException e = fails("--data-dir", "/tmp/x", "--name");
        assertEquals("name", e.flag());
        assertEquals("flag needs an argument: --name", e.getMessage());
    }

    @Test
    void strayArgumentsAndBadSyntax() {
        assertEquals("\"stray\" is not a valid flag", fails("stray").getMessage());
        assertEquals("\"stray\" is not a valid flag", fails("--name", "a", "stray", "--data-dir", "d").getMessage());
        assertEquals("\"-\" is not a valid flag", fails("-").getMessage());
        assertEquals("\"x\" is not a valid flag", fails("--", "x").getMessage());
        assertEquals("bad flag syntax: ---name", fails("---name").getMessage());
        assertEquals("bad flag syntax: --=x", fails("--=x").getMessage());
    }

    @Test
    void doubleDashEndsFlags() throws ConfigException {
        assertEquals(Map.of("name", "a"), parse("--name", "a", "--").explicit());
    }

    @Test
    void helpStopsParsingWhereItIsMet() throws ConfigException {
        assertTrue(parse("-h").helpRequested());
        assertTrue(parse("--help").helpRequested());
        assertTrue(parse("-help").helpRequested());
        assertTrue(parse("--name", "a", "--help", "--unknown-later").helpRequested());
        // an error before --help wins, as in Go
        assertEquals("flag provided but not defined: --unknown", fails("--unknown", "--help").getMessage());
    }

    @Test
    void versionIsHonouredAfterTheWholeLineParsed() throws ConfigException {
        assertTrue(parse("--version").versionRequested());
        assertTrue(parse("--name", "a", "-version").versionRequested());
        assertFalse(parse("--version=false").versionRequested());
        assertEquals("flag provided but not defined: --bogus", fails("--version", "--bogus").getMessage());
    }

    @Test
    void environmentFillsFlagsNotOnTheCommandLine() throws ConfigException {
        CommandLine line = CommandLine.parse(List.of("--name", "a"),
                Map.of("ETCD_DATA_DIR", "/var/lib/x", "ETCD_MAX_TXN_OPS", "9", "PATH", "/bin"));
        assertEquals(Map.of("name", "a", "data-dir", "/var/lib/x", "max-txn-ops", "9"), line.explicit());
        assertEquals(List.of(), line.warnings());
    }

    @Test
    void flagAndItsEnvironmentVariableTogetherAreRefusedAsEtcdDoes() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> CommandLine.parse(List.of("--name", "from-flag"), Map.of("ETCD_NAME", "from-env")));
        assertEquals("conflicting environment variable \"ETCD_NAME\" is shadowed by corresponding command-line flag"
                + " (either unset environment variable or disable flag)", e.getMessage());
    }

    @Test
    void emptyEnvironmentValueIsIgnored() throws ConfigException {
        assertEquals(Map.of(), CommandLine.parse(List.of(), Map.of("ETCD_NAME", "")).explicit());
    }

    @Test
    void environmentBoolAndBadValueNameTheVariable() throws ConfigException {
        assertEquals("true", CommandLine.parse(List.of(), Map.of("ETCD_FORCE_NEW_CLUSTER", "1")).explicit().get("force-new-cluster"));
        ConfigException e = fails(Map.of("ETCD_MAX_TXN_OPS", "abc"));
        assertEquals("max-txn-ops", e.flag());
        assertEquals("invalid value \"abc\" for ETCD_MAX_TXN_OPS (--max-txn-ops): not an integer", e.getMessage());
    }

    @Test
    void unrecognizedAndSpecialEnvironmentVariables() throws ConfigException {
        CommandLine line = CommandLine.parse(List.of(),
                Map.of("ETCD_FOO", "1", "ETCD_VERSION", "1", "ETCD_UNSUPPORTED_ARCH", "arm", "ETCDCTL_API", "3"));
        assertEquals(Map.of(), line.explicit());
        assertEquals(List.of("unrecognized environment variable ETCD_FOO=1",
                "cannot set special environment variable ETCD_VERSION; ignoring it"), line.warnings());
    }

    @Test
    void notImplementedFlagsAreAcceptedWithAWarning() throws ConfigException {
        CommandLine line = CommandLine.parse(List.of("--cert-file", "/c.pem", "--max-wals=3"), Map.of("ETCD_AUTO_TLS", "true"));
        assertEquals("/c.pem", line.explicit().get("cert-file"));
        assertEquals(List.of("--cert-file is accepted but not implemented yet", "--max-wals is accepted but not implemented yet",
                "--auto-tls is accepted but not implemented yet (set by ETCD_AUTO_TLS)"), line.warnings());
    }

    @Test
    void implementedFlagsDrawNoWarning() throws ConfigException {
        assertEquals(List.of(), parse("--name", "a", "--max-txn-ops", "5", "--log-level", "debug").warnings());
    }

    @Test
    void deprecatedFlagsWarnAsEtcdDoes() throws ConfigException {
        assertEquals(List.of("--snapshot-count is deprecated in etcd v3.6 and will be decommissioned in v3.7"),
                parse("--snapshot-count", "5").warnings());
        assertEquals(List.of("--experimental-compaction-batch-limit is deprecated in etcd v3.6; use --compaction-batch-limit instead"),
                parse("--experimental-compaction-batch-limit", "5").warnings());
    }

    @Test
    void oldAndNewSpellingTogetherIsAnError() {
        ConfigException e = fails("--experimental-watch-progress-notify-interval", "1m", "--watch-progress-notify-interval", "1m");
        assertEquals("watch-progress-notify-interval", e.flag());
        assertEquals("cannot set --experimental-watch-progress-notify-interval and --watch-progress-notify-interval at the same time,"
                + " please use --watch-progress-notify-interval only", e.getMessage());
        // also when one of them comes from the environment
        assertThrows(ConfigException.class, () -> CommandLine.parse(List.of("--compaction-batch-limit", "1"),
                Map.of("ETCD_EXPERIMENTAL_COMPACTION_BATCH_LIMIT", "2")));
    }

    @Test
    void experimentalFlagAndItsFeatureGateTogetherIsAnError() throws ConfigException {
        ConfigException e = fails("--experimental-initial-corrupt-check", "--feature-gates", "InitialCorruptCheck=false");
        assertEquals("feature-gates", e.flag());
        assertEquals("cannot specify both flags: --experimental-initial-corrupt-check=true and"
                + " --feature-gates=InitialCorruptCheck=false at the same time, please just use"
                + " --feature-gates=InitialCorruptCheck=false", e.getMessage());
        // different gates do not conflict
        assertEquals("true", parse("--experimental-initial-corrupt-check", "--feature-gates=LeaseCheckpoint=true")
                .explicit().get("experimental-initial-corrupt-check"));
    }

    @Test
    void obsoleteFlagsAreIgnoredWithAWarning() throws ConfigException {
        CommandLine line = parse("--v", "--peer-heartbeat-interval=5", "--name", "a");
        assertEquals("a", line.explicit().get("name"));
        assertTrue(line.warnings().contains("--v is no longer supported by etcd; ignoring it"));
        assertTrue(line.warnings().contains("--peer-heartbeat-interval is no longer supported by etcd; ignoring it"));
    }

    @Test
    void lineBreaksInValuesAreRefused() {
        ConfigException e = fails("--name", "a\nb");
        assertEquals("name", e.flag());
        assertEquals("invalid value \"a\\nb\" for flag --name: must not contain a line break", e.getMessage());
        assertEquals("data-dir", fails(Map.of("ETCD_DATA_DIR", "x\ry")).flag());
    }

    @Test
    void discoveryFallbackProxyIsRefusedAsInEtcd36() {
        ConfigException e = fails("--discovery-fallback", "proxy");
        assertEquals("discovery-fallback", e.flag());
        assertEquals("v2 proxy is deprecated, and --discovery-fallback can't be configured as \"proxy\"", e.getMessage());
    }

    @Test
    void valuesAreCanonicalised() throws ConfigException {
        CommandLine line = parse("--listen-client-urls", " http://127.0.0.1:2379 ,HTTP://127.0.0.1:2379,http://127.0.0.1:1",
                "--watch-progress-notify-interval", "90s", "--feature-gates", "LeaseCheckpoint=true, CompactHashCheck=0");
        assertEquals("http://127.0.0.1:1,http://127.0.0.1:2379", line.explicit().get("listen-client-urls"));
        assertEquals("1m30s", line.explicit().get("watch-progress-notify-interval"));
        assertEquals("CompactHashCheck=false,LeaseCheckpoint=true", line.explicit().get("feature-gates"));
    }
}
