package dev.ebbtide.core.estimate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.core.placement.NodeSlot;
import dev.ebbtide.core.placement.Priority;
import dev.ebbtide.core.placement.WaitingJob;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StartEstimatorTest {
    private static final Instant NOW = Instant.parse("2026-01-05T10:00:00Z");
    private static final Duration BOOT = Duration.ofSeconds(120);

    /**
     * nodes: F = free, B:s = booting ready at now+s, B = booting since now (ready after the boot time), R:s = busy until
     * now+s, R = busy without a time limit. ahead: nodes:limit-seconds (- = no limit). wait: none, unknown, or seconds.
     * expected: seconds after now, or unknown.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "free node, empty queue        | F          | ''              | 1 | 1 | none    | 0       | first in the queue; nodes are free now",
                "gang waits for all its nodes  | F R:300    | ''              | 2 | 2 | none    | 300     | first in the queue",
                "growth: new node boots        | F          | ''              | 2 | 2 | none    | 120     | up to 1 new node(s) (~120 s boot)",
                "booting node given ready time | B:30       | ''              | 1 | 1 | none    | 30      | 1 node(s) booting",
                "booting node, boot time       | B          | ''              | 1 | 1 | none    | 120     | 1 node(s) booting",
                "job ahead with a limit        | F          | 1:600           | 1 | 1 | none    | 600     | 1 job(s) ahead",
                "two gangs ahead in sequence   | F F        | 2:100,1:50      | 2 | 2 | none    | 150     | 2 job(s) ahead",
                "FIFO: not before job ahead    | F R:500    | 2:100           | 1 | 2 | none    | 600     | 1 job(s) ahead",
                "max caps growth               | R:1000     | 1:10            | 1 | 1 | none    | 1010    | 1 job(s) ahead",
                "running without limit, growth | R          | ''              | 1 | 2 | none    | 120     | could be earlier",
                "running without limit, no room| R          | ''              | 1 | 1 | none    | unknown | 1 busy node(s) run jobs without a time limit",
                "ahead without limit, room     | F          | 1:-             | 1 | 2 | none    | 120     | could be earlier",
                "ahead without limit, no room  | F          | 1:-             | 1 | 1 | none    | unknown | 1 job(s) ahead have no time limit",
                "back-off until known          | ''         | ''              | 1 | 1 | 300     | 420     | waiting for quota until",
                "quota wait, no end known      | ''         | ''              | 1 | 1 | unknown | unknown | waiting for quota (no end known)",
                "wait irrelevant: free node    | F          | ''              | 1 | 2 | unknown | 0       | nodes are free now",
                "job larger than cluster limit | F          | ''              | 3 | 2 | none    | unknown | not enough nodes",
            })
    void estimates(
            String name,
            String nodes,
            String ahead,
            int jobNodes,
            int max,
            String wait,
            String expected,
            String basis) {
        List<WaitingJob> jobs = jobs(ahead);
        GrowthWait w = wait.equals("none")
                ? null
                : new GrowthWait(
                        "waiting for quota", wait.equals("unknown") ? null : NOW.plusSeconds(Long.parseLong(wait)));
        StartEstimate e = StartEstimator.estimate(jobs.size(), jobs, jobNodes, nodes(nodes), max, BOOT, w, NOW);
        assertEquals(jobs.size() + 1, e.position());
        if (expected.equals("unknown")) {
            assertNull(e.startAt(), e.basis());
        } else {
            assertEquals(NOW.plusSeconds(Long.parseLong(expected)), e.startAt(), e.basis());
        }
        assertTrue(e.basis().contains(basis), e.basis());
    }

    @Test
    void beyondTheCapOnlyThePositionIsExact() {
        List<WaitingJob> jobs =
                jobs(String.join(",", java.util.Collections.nCopies(StartEstimator.MAX_SIMULATED, "1:10")));
        StartEstimate e = StartEstimator.estimate(5000, jobs, 1, nodes("F"), 1, BOOT, null, NOW);
        assertEquals(5001, e.position());
        assertNull(e.startAt());
        assertEquals("more than 1000 jobs ahead: not estimated", e.basis());
    }

    @Test
    void aThousandJobsAheadAreSimulated() {
        List<WaitingJob> jobs =
                jobs(String.join(",", java.util.Collections.nCopies(StartEstimator.MAX_SIMULATED, "1:10")));
        StartEstimate e = StartEstimator.estimate(jobs.size(), jobs, 1, nodes("F"), 1, BOOT, null, NOW);
        assertEquals(NOW.plusSeconds(10_000), e.startAt());
    }

    @Test
    void theWholeQueueInOnePassMatchesEachJobAlone() {
        List<WaitingJob> queue = jobs("2:100,1:-,1:50,3:10,1:20");
        List<NodeSlot> cluster = nodes("F R:40 B R");
        List<StartEstimate> all = StartEstimator.estimateQueue(queue, cluster, 5, BOOT, null, NOW);
        assertEquals(queue.size(), all.size());
        for (int i = 0; i < queue.size(); i++) {
            StartEstimate alone =
                    StartEstimator.estimate(i, queue.subList(0, i), queue.get(i).nodes(), cluster, 5, BOOT, null, NOW);
            assertEquals(alone, all.get(i));
        }
        // 2 nodes at 40 s (R:40 and F), so the first starts at 40; the 1-node job without a limit at 120 (booting or
        // new)
        assertEquals(NOW.plusSeconds(40), all.get(0).startAt());
        assertEquals(NOW.plusSeconds(120), all.get(1).startAt());
    }

    @Test
    void anUnknownStartMakesEveryLaterOneUnknown() {
        List<StartEstimate> all = StartEstimator.estimateQueue(jobs("2:10,1:10"), nodes("F"), 1, BOOT, null, NOW);
        assertNull(all.get(0).startAt());
        assertNull(all.get(1).startAt());
        assertEquals(2, all.get(1).position());
    }

    private static List<NodeSlot> nodes(String spec) {
        List<NodeSlot> nodes = new ArrayList<>();
        int i = 0;
        for (String s : spec.trim().isEmpty() ? new String[0] : spec.trim().split("\\s+")) {
            String name = "n" + i++;
            String[] p = s.split(":");
            Instant t = p.length > 1 ? NOW.plusSeconds(Long.parseLong(p[1])) : null;
            nodes.add(
                    switch (p[0]) {
                        case "F" -> NodeSlot.free(name, NOW.minusSeconds(5));
                        case "B" -> NodeSlot.booting(name, NOW, t);
                        case "R" -> NodeSlot.busy(name, NOW.minusSeconds(5), t);
                        default -> throw new IllegalArgumentException(s);
                    });
        }
        return nodes;
    }

    private static List<WaitingJob> jobs(String spec) {
        List<WaitingJob> jobs = new ArrayList<>();
        if (spec.isBlank()) {
            return jobs;
        }
        for (String s : spec.split(",")) {
            String[] p = s.split(":");
            Duration limit = p[1].equals("-") ? null : Duration.ofSeconds(Long.parseLong(p[1]));
            jobs.add(new WaitingJob("j" + jobs.size(), Integer.parseInt(p[0]), Priority.MEDIUM, jobs.size(), limit));
        }
        return jobs;
    }
}
