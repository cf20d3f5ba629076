package dev.ebbtide.scheduler.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The trace rows, pure. */
class JobTraceTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void endedJobsHaveTheirRunTimeRunningOnesTheirTimeSoFarAndUnstartedOnesAreLeftOut() {
        String csv = JobTrace.csv(
                "gpu",
                List.of(
                        new JobTrace.Row(
                                "a", T0.plusSeconds(10), T0.plusSeconds(70), T0.plusMillis(130_200), 2, "Completed"),
                        new JobTrace.Row("b", T0.plusSeconds(20), null, null, 1, "Queued"),
                        new JobTrace.Row("c", T0.plusSeconds(30), T0.plusSeconds(40), null, 1, "Running")),
                T0,
                T0.plusSeconds(100));
        assertEquals("""
                job_id,submit_s,duration_s,nodes,gpus,queue,status
                a,10,61,2,,gpu,Completed
                c,30,60,1,,gpu,Running
                """, csv);
    }
}
