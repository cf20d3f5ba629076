package dev.ebbtide.core.gang;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GangUnitsTest {

    /** queue: job sizes in order (jobs j0, j1, …); units: "j0:4 j1:2", "-" for none. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            a 4-node job on an empty cluster          | 4     | 0 | 4 | j0:4
            idle nodes cover part of the job          | 4     | 1 | 3 | j0:3
            a covered job needs no unit               | 4,2   | 4 | 2 | j1:2
            one-node jobs need no unit                | 1,1,2 | 0 | 4 | j2:2
            a unit that does not fit stops the walk   | 4,2   | 0 | 3 | -
            nodes beyond the units belong to none     | 2     | 0 | 5 | j0:2
            a job covered by in-flight nodes          | 2,2   | 2 | 2 | j1:2
            """)
    void plans(String name, String queue, int supply, int add, String expected) {
        List<GangUnit> jobs = new ArrayList<>();
        String[] sizes = queue.split(",");
        for (int k = 0; k < sizes.length; k++) {
            jobs.add(new GangUnit("j" + k, Integer.parseInt(sizes[k])));
        }
        List<String> got = GangUnits.plan(jobs, supply, add).stream()
                .map(u -> u.jobId() + ":" + u.nodes())
                .toList();
        assertEquals(expected, got.isEmpty() ? "-" : String.join(" ", got), name);
    }
}
