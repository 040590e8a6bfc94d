package dev.etcetera.raft.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class InflightsTest {

    @Test
    void countLimitAndFreeLE() {
        Inflights in = new Inflights(3, 0);
        in.add(1, 10);
        in.add(2, 10);
        assertFalse(in.full());
        in.add(5, 10);
        assertTrue(in.full());
        assertThrows(IllegalStateException.class, () -> in.add(6, 1));
        in.freeLE(2);
        assertEquals(1, in.count());
        assertEquals(10, in.bytes());
        in.add(6, 1);
        in.add(7, 1);
        assertTrue(in.full(), "ring buffer wraps around");
        in.freeLE(100);
        assertEquals(0, in.count());
    }

    @Test
    void byteLimit() {
        Inflights in = new Inflights(100, 1000);
        in.add(1, 600);
        assertFalse(in.full());
        in.add(2, 400);
        assertTrue(in.full(), "1000 bytes in flight reach the budget");
        in.freeFirstOne();
        assertFalse(in.full());
        assertEquals(400, in.bytes());
    }
}
