package dev.ebbtide.devsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ebbtide.devsupport.ClusterOwners.Owned;
import dev.ebbtide.devsupport.StackStatus.Instance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./ebbtide status}'s instance lines. */
class StackStatusTest {
    @TempDir
    Path dir;

    @Test
    void printsEachInstanceWithWhatItOwnsAndMembersNoInstanceAccountsFor() throws Exception {
        Files.writeString(dir.resolve("instances"), """
                job-submitter-1 http://127.0.0.1:8081 101
                scheduler-1 http://127.0.0.1:8082 102
                scheduler-2 http://127.0.0.1:8092 103
                autoscaler-1 http://127.0.0.1:8083 104
                """);
        List<Instance> instances = StackStatus.read(dir.resolve("instances"));
        assertEquals(4, instances.size());
        SortedMap<String, Owned> scheduler = new TreeMap<>();
        scheduler.put("scheduler-1", new Owned(new TreeSet<>(List.of(0, 1, 2)), new TreeSet<>(List.of("b", "a"))));
        scheduler.put("scheduler-9-x", new Owned(new TreeSet<>(List.of(3)), new TreeSet<>()));
        SortedMap<String, Owned> autoscaler = new TreeMap<>();
        autoscaler.put("autoscaler-1", new Owned(new TreeSet<>(), new TreeSet<>()));
        List<String> lines = StackStatus.lines(
                instances,
                Map.of("job-submitter-1", true, "scheduler-1", true, "autoscaler-1", true),
                Map.of("scheduler", scheduler, "autoscaler", autoscaler));
        assertEquals(
                List.of(
                        "instances (a cluster is acted for by the instance whose consumer group holds its partition):",
                        "  job-submitter-1  http://127.0.0.1:8081  up    stateless: serves every cluster",
                        "  scheduler-1      http://127.0.0.1:8082  up    partitions 0,1,2: a, b",
                        "  scheduler-2      http://127.0.0.1:8092  down  not in group ebbtide-scheduler",
                        "  autoscaler-1     http://127.0.0.1:8083  up    no partitions",
                        "  ebbtide-scheduler member scheduler-9-x: partitions 3: no clusters"),
                lines);
    }
}
