package dev.etcetera.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Go duration text and etcd URL text, the two syntaxes borrowed from Go. */
class ValueSyntaxTest {

    @ParameterizedTest
    @CsvSource({
            "0, 0s", "0s, 0s", "1ns, 1ns", "1500ns, 1.5µs", "1us, 1µs", "100ms, 100ms", "1.5s, 1.5s", "90s, 1m30s",
            "10m, 10m0s", "2h, 2h0m0s", "1h30m, 1h30m0s", "1.5h, 1h30m0s", ".5s, 500ms", "1m0.25s, 1m0.25s", "+3s, 3s"})
    void goDurationsRoundTripLikeGo(String text, String formatted) {
        Duration d = GoDuration.parse(text);
        assertEquals(formatted, GoDuration.format(d));
        assertEquals(d, GoDuration.parse(formatted));
    }

    @Test
    void goDurationRejects() {
        for (String bad : List.of("", "10", "1x", "h", "1..2s", "-", "s1", "1e3s")) {
            assertThrows(IllegalArgumentException.class, () -> GoDuration.parse(bad), bad);
        }
        assertEquals(Duration.ofSeconds(-5), GoDuration.parse("-5s"));
        assertEquals("-5s", GoDuration.format(Duration.ofSeconds(-5)));
    }

    @ParameterizedTest
    @CsvSource({"128, 128", "+5, 5", "0, 0", "-0, 0", "0x10, 16", "0X1f, 31", "0o17, 15", "010, 8", "0b101, 5", "1_000, 1000",
            "0x_10, 16"})
    void integersFollowGoBaseZeroRules(String text, String canonical) {
        assertEquals(canonical, ValueKind.Int.unsigned().canonical(text));
    }

    @Test
    void integerRejects() {
        for (String bad : List.of("", "abc", "1.5", "08", "0x", "1__0", "_1", "1_", "0b2", "1e3")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ValueKind.Int.unsigned().canonical(bad), bad);
            assertEquals("not an integer", e.getMessage(), bad);
        }
        assertEquals("must not be negative", assertThrows(IllegalArgumentException.class,
                () -> ValueKind.Int.unsigned().canonical("-1")).getMessage());
        assertEquals("-9223372036854775808", ValueKind.Int.signed().canonical("-9223372036854775808"));
        assertThrows(IllegalArgumentException.class, () -> ValueKind.Int.signed().canonical("9223372036854775808"));
    }

    @Test
    void urlsPrintAsGoDoes() {
        assertEquals("http://127.0.0.1:2379", EtcdUrl.parse(" HTTP://127.0.0.1:2379 ").toString());
        assertEquals("http://[::1]:2380", EtcdUrl.parse("http://[::1]:2380").toString());
        assertEquals("https://Example.COM:443", EtcdUrl.parse("https://Example.COM:443").toString());
        assertEquals(new EtcdUrl("http", "fe80::1", 1), EtcdUrl.parse("http://[fe80::1]:1"));
    }

    @Test
    void urlListsAreSortedAndDeduplicated() {
        assertEquals(List.of(EtcdUrl.parse("http://127.0.0.1:2379"), EtcdUrl.parse("http://127.0.0.1:3379")),
                EtcdUrl.parseList("http://127.0.0.1:3379,http://127.0.0.1:2379,http://127.0.0.1:3379"));
        assertEquals(List.of(), EtcdUrl.parseList(""));
        assertThrows(IllegalArgumentException.class, () -> EtcdUrl.parseList("http://127.0.0.1:1,"));
    }

    @Test
    void urlRejects() {
        for (String bad : List.of("http://127.0.0.1:2379?x=1", "http://u@127.0.0.1:2379", "http://::1:2379", "http://[::1]",
                "http://127.0.0.1:0", "http://127.0.0.1:-1", "127.0.0.1:2379", "http://127.0.0.1:2379#f")) {
            assertThrows(IllegalArgumentException.class, () -> EtcdUrl.parse(bad), bad);
        }
    }

    @Test
    void bindableHosts() {
        assertEquals(true, EtcdUrl.parse("http://0.0.0.0:1").bindable());
        assertEquals(true, EtcdUrl.parse("http://[::]:1").bindable());
        assertEquals(true, EtcdUrl.parse("http://localhost:1").bindable());
        assertEquals(false, EtcdUrl.parse("http://node1:1").bindable());
        assertEquals(false, EtcdUrl.parse("http://256.0.0.1:1").bindable());
    }

    @Test
    void initialClusterNotation() {
        assertEquals("a=http://127.0.0.1:1,a=http://127.0.0.1:2,b=http://127.0.0.1:3",
                InitialCluster.format(InitialCluster.parse("b=http://127.0.0.1:3,,a=http://127.0.0.1:2,a=http://127.0.0.1:1")));
        assertThrows(IllegalArgumentException.class, () -> InitialCluster.parse("=http://127.0.0.1:1"));
    }
}
