package dev.ebbtide.core.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class UsageReportTest {
    static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
    static final Machine NC6 = new Machine("Standard_NC6s_v3", "dedicated", "eastus");
    static final Machine NC6_SPOT = new Machine("Standard_NC6s_v3", "low_priority", "eastus");
    static final Machine LOCAL = new Machine("local", "dedicated", null);

    static final Rates RATES = new Rates() {
        public Rate of(Machine m) {
            return switch (m.size() + "/" + m.tier()) {
                case "Standard_NC6s_v3/dedicated" -> new Rate(6, 1, 3.06);
                case "Standard_NC6s_v3/low_priority" -> new Rate(6, 1, 0.612);
                default -> new Rate(0, 0, null);
            };
        }

        public String currency() {
            return "USD";
        }
    };

    static UsageSegment seg(String cluster, Machine m, Holder h, long fromS, long toS) {
        return new UsageSegment(cluster, cluster + "-0", m, h, T0.plusSeconds(fromS), T0.plusSeconds(toS));
    }

    final List<UsageSegment> segments = List.of(
            seg("gpu", NC6, new Holder("j1", "vision", "alice"), 0, 3600),
            seg("gpu", NC6, Holder.IDLE, 3600, 5400),
            seg("spot", NC6_SPOT, new Holder("j2", "vision", "bob"), 0, 7200),
            seg("local", LOCAL, new Holder("j3", null, null), 0, 60));

    @Test
    void byTeamPricesEachSizeAndTierAndKeepsIdleApart() {
        List<UsageReport.Row> rows = UsageReport.rows(segments, T0, T0.plusSeconds(10_000), UsageReport.By.TEAM, RATES);
        assertEquals(
                List.of(
                        new UsageReport.Row("vision", 10_800, 0, 18, 3, 4.284, 0, "USD"),
                        new UsageReport.Row(UsageReport.IDLE, 1800, 1800, 3, 0.5, 1.53, 0, "USD"),
                        new UsageReport.Row(UsageReport.UNKNOWN, 60, 0, 0, 0, 0, 60, "USD")),
                rows);
    }

    @Test
    void byClusterCountsIdleInTheClusterAndClipsToTheWindow() {
        List<UsageReport.Row> rows =
                UsageReport.rows(segments, T0.plusSeconds(1800), T0.plusSeconds(4500), UsageReport.By.CLUSTER, RATES);
        assertEquals(
                List.of(
                        new UsageReport.Row("gpu", 2700, 900, 4.5, 0.75, 2.295, 0, "USD"),
                        new UsageReport.Row("spot", 2700, 0, 4.5, 0.75, 0.459, 0, "USD")),
                rows);
    }

    @Test
    void byJobAndUser() {
        Instant end = T0.plusSeconds(10_000);
        assertEquals(
                List.of("j2", "j1", UsageReport.IDLE, "j3"),
                UsageReport.rows(segments, T0, end, UsageReport.By.JOB, RATES).stream()
                        .map(UsageReport.Row::key)
                        .toList());
        assertEquals(
                List.of("bob", "alice", UsageReport.IDLE, UsageReport.UNKNOWN),
                UsageReport.rows(segments, T0, end, UsageReport.By.USER, RATES).stream()
                        .map(UsageReport.Row::key)
                        .toList());
    }
}
