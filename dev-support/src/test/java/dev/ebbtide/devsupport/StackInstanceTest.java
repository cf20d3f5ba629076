package dev.ebbtide.devsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Names, ports and log files of service instances, and {@code up --replicas N}. */
class StackInstanceTest {

    @Test
    void instanceOneKeepsTheDefaultPortAndLogAndLaterOnesStepByTen() {
        StackInstance first = new StackInstance("scheduler", 1);
        assertEquals("scheduler-1", first.name());
        assertEquals(8082, first.defaultPort());
        assertEquals("scheduler.log", first.logFileName());
        StackInstance third = new StackInstance("provisioner", 3);
        assertEquals("provisioner-3", third.name());
        assertEquals(8104, third.defaultPort());
        assertEquals("provisioner-3.log", third.logFileName());
    }

    @Test
    void everyInstanceOfNineReplicasGetsADistinctPort() {
        List<StackInstance> all = StackInstance.of(LocalStack.SERVICES.keySet(), 9);
        assertEquals(36, all.size());
        Set<Integer> ports = new HashSet<>();
        all.forEach(i -> ports.add(i.defaultPort()));
        assertEquals(36, ports.size(), "distinct ports: " + ports);
        assertEquals(
                List.of("job-submitter-1", "job-submitter-2"),
                StackInstance.of(List.of("job-submitter"), 2).stream()
                        .map(StackInstance::name)
                        .toList());
    }

    @Test
    void aBareServiceNameMeansItsFirstInstance() {
        assertEquals(new StackInstance("scheduler", 1), StackInstance.parse("scheduler"));
        assertEquals(new StackInstance("job-submitter", 2), StackInstance.parse("job-submitter-2"));
        assertEquals(new StackInstance("autoscaler", 12), StackInstance.parse("autoscaler-12"));
    }

    @Test
    void unknownNamesAreRefusedInOneSentence() {
        for (String bad : List.of("schedular", "scheduler-0", "scheduler-x", "job", "-1", "scheduler-")) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> StackInstance.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("unknown service instance '" + bad + "'"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new StackInstance("scheduler", 0));
    }

    @Test
    void replicasComeFromTheCommandLine() {
        assertEquals(1, LocalStack.replicasArgument(List.of("/repo")));
        assertEquals(3, LocalStack.replicasArgument(List.of("/repo", "--listen-all", "--replicas", "3")));
        for (List<String> bad : List.of(
                List.of("--replicas"),
                List.of("--replicas", "0"),
                List.of("--replicas", "two"),
                List.of("--replicas", "10"))) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> LocalStack.replicasArgument(bad));
            assertTrue(e.getMessage().startsWith("--replicas needs a whole number"), e.getMessage());
        }
        assertThrows(
                IllegalArgumentException.class,
                () -> new LocalStack.Options(null, null, 0, 0, true, null, java.util.Map.of(), true, false, 0));
    }
}
