package dev.etcetera.raft.sim;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Seeded deterministic simulation of 3- and 5-member clusters (even seeds: 3, odd seeds: 5).
 *
 * <ul>
 *   <li>{@code mvn test} runs seeds {@code 1..2000} ({@code -Dsim.seeds=N} for more, e.g. with the
 *       {@code raft-sim} profile: {@code mvn -Praft-sim test -Dsim.seeds=100000});</li>
 *   <li>{@code -Dsim.seed=N} replays exactly one seed with a message trace on failure;</li>
 *   <li>{@code -Dsim.firstSeed=N} shifts the range (to explore new seeds in CI nightly runs).</li>
 * </ul>
 * Every failure names its seed; all failing seeds of a run are listed at the end.
 */
class SimulationTest {

    @Test
    void seededClusters() {
        String one = System.getProperty("sim.seed");
        if (one != null && !one.isBlank()) {
            long seed = Long.parseLong(one.trim());
            ClusterSimulation sim = new ClusterSimulation(seed, true);
            sim.run();
            System.out.println("sim: " + sim.summary() + " " + sim.params());
            return;
        }
        int seeds = Integer.getInteger("sim.seeds", 2000);
        long first = Long.getLong("sim.firstSeed", 1L);
        long start = System.nanoTime();
        List<String> failures = new ArrayList<>();
        long proposals = 0;
        for (long seed = first; seed < first + seeds; seed++) {
            try {
                ClusterSimulation sim = new ClusterSimulation(seed, false);
                sim.run();
            } catch (ClusterSimulation.SimulationFailure e) {
                System.out.println("sim FAILED: " + e.getMessage());
                failures.add(e.getMessage());
            } catch (RuntimeException | AssertionError e) {
                String msg = "seed " + seed + " (replay with -Dsim.seed=" + seed + "): " + e;
                System.out.println("sim FAILED: " + msg);
                e.printStackTrace(System.out);
                failures.add(msg);
            }
        }
        double secs = (System.nanoTime() - start) / 1e9;
        System.out.printf("sim: %d seeds from %d in %.1f s (%.2f ms/seed), %d failed%n", seeds, first, secs,
                secs * 1000 / seeds, failures.size());
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + seeds + " seeds failed; first: " + failures.get(0));
        }
    }
}
