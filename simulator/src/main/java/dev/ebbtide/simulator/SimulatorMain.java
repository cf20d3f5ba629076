package dev.ebbtide.simulator;

import dev.ebbtide.core.scaling.FixedIdlePolicy;
import dev.ebbtide.core.scaling.Policies;
import dev.ebbtide.core.scaling.ScalingSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code ebbtide simulate --trace FILE.csv --policy NAME|all [--idle SECONDS] [--boot SECONDS] [--max-nodes N]
 * [--min-nodes N] [--json] [--out DIR]}, or {@code ebbtide simulate --trace FILE.csv --windows LENGTH [options]}
 * to score every policy per window ({@link Windows}).
 */
public final class SimulatorMain {

    /** The idle times fixed-idle is run with by {@code --policy all}. */
    public static final List<Integer> FRONTIER_IDLE_S = List.of(0, 60, 120, 300, 600, 1800, 3600);

    static final String USAGE = String.join(
            "\n",
            "usage: ebbtide simulate --trace FILE.csv --policy NAME|all [options]",
            "       ebbtide simulate --trace FILE.csv --windows LENGTH [options]",
            "       ebbtide simulate --trace FILE.csv --teams --max-nodes N [--team-weights W] [--out DIR]",
            "  --trace FILE       job trace CSV (job_id,submit_s,duration_s,nodes,gpus,queue,status)",
            "  --policy NAME      " + String.join(", ", Policies.names()) + ", or all",
            "  --idle SECONDS     idle time before scale-down (default 120; for adaptive policies the ceiling)",
            "  --boot SECONDS     time from node request to ready (default 120)",
            "  --max-nodes N      max nodes per cluster (default unlimited)",
            "  --min-nodes N      min nodes per cluster (default 0)",
            "  --windows LENGTH   score every policy on each window of LENGTH (e.g. 7d, 12h, 3600s) and on the",
            "                     whole trace; prints a table and writes DIR/<trace>-windows.csv",
            "  --quota-nodes N    core quota of the cluster, in nodes: scale-ups are granted up to it",
            "  --gangs MODE       under the quota: atomic (a gang gets all its new nodes or none; default) or",
            "                     partial (a gang may get part and hold it idle)",
            "  --spot-eviction-rate R  Spot-first cluster: evictions per node-hour (seeded, exponential)",
            "  --spot-price-ratio P    a Spot node-hour's price / a dedicated one's (default 0.3)",
            "  --checkpoint-every S    jobs without a checkpoint_s column checkpoint every S s (default none;",
            "                     --capacity-report: 1800)",
            "  --max-attempts N   a job evicted on its Nth attempt fails (default 5, the scheduler's)",
            "  --seed N           seed of the eviction times (default 1)",
            "  --max-gang-provision-time S  atomic gangs: idle nodes held for a head the quota blocks are",
            "                     given back after S s (default 600)",
            "  --capacity-report  quota partial vs atomic gangs, and Spot vs dedicated, for --policy (default",
            "                     fixed-idle); needs --quota-nodes and --spot-eviction-rate; writes",
            "                     DIR/<trace>-capacity.csv",
            "  --teams            the trace's queues are teams on one shared cluster of --max-nodes nodes:",
            "                     FIFO against fair share (the scheduler's FairShare order), per team share",
            "                     against entitlement, Jain's index, waits; writes DIR/<trace>-teams.csv",
            "  --team-weights W   with --teams: also fair share at these weights, e.g. vc1=2,vc2=1 (what-if)",
            "  --json             print JSON instead of a table",
            "  --out DIR          with --policy all: where the CSV and SVG go (default target/sim)");

    private SimulatorMain() {}

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Runs the CLI; returns the exit code (0 ok, 2 usage error, 1 failure). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        if (o.help) {
            out.println(USAGE);
            return 0;
        }
        try {
            Trace trace = Trace.read(o.trace);
            if (o.quotaNodes >= 0) {
                int largest =
                        trace.jobs().stream().mapToInt(Trace.Job::nodes).max().orElse(0);
                if (largest > o.quotaNodes) {
                    throw new IllegalArgumentException("a job needs " + largest + " nodes, more than --quota-nodes "
                            + o.quotaNodes + ": it could never start");
                }
            }
            if (o.teams) {
                TeamsReport.run(trace, o, out);
            } else if (o.capacityReport) {
                CapacityReport.run(trace, o, out);
            } else if (o.windowS > 0) {
                Windows.run(trace, o, out);
            } else if ("all".equals(o.policy)) {
                runAll(trace, o, out);
            } else {
                Capacity capacity = o.capacity();
                Simulation sim =
                        simulation(o.policy, o.settings(o.idleS), o.bootS).withCapacity(capacity);
                SimulationResult r = sim.run(trace);
                CapacityResult k = sim.capacityResult();
                if (o.json) {
                    String json = r.toJson();
                    out.println(
                            capacity.equals(Capacity.NONE)
                                    ? json
                                    : json.substring(0, json.length() - 1) + ",\"capacity\":"
                                            + capacityJson(capacity, k) + "}");
                } else {
                    out.print(table(List.of(r)));
                    if (!capacity.equals(Capacity.NONE)) {
                        out.printf(
                                Locale.ROOT,
                                "capacity: %s; cost %.1f dedicated node-h, held idle %.1f node-h, %d quota refusal(s), "
                                        + "%d eviction(s), %d requeue(s), %.1f node-h of work lost, %d job(s) failed%n",
                                describe(capacity),
                                k.costNodeHours(),
                                k.heldIdleNodeHours(),
                                k.quotaRefusals(),
                                k.evictions(),
                                k.requeues(),
                                k.lostNodeHours(),
                                k.failedJobs());
                    }
                }
            }
            return 0;
        } catch (IOException e) {
            err.println("error: cannot read " + o.trace + ": " + e.getMessage());
            return 1;
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }

    public static SimulationResult simulate(Trace trace, String policy, ScalingSettings settings, double bootS) {
        return simulation(policy, settings, bootS).run(trace);
    }

    static Simulation simulation(String policy, ScalingSettings settings, double bootS) {
        Duration boot = Duration.ofMillis(Math.round(bootS * 1000));
        return new Simulation(Policies.create(policy, boot), settings, boot);
    }

    private static String describe(Capacity c) {
        String quota = c.quotaNodes() < 0
                ? "no quota"
                : "quota " + c.quotaNodes() + " nodes, " + (c.atomicGangs() ? "atomic" : "partial") + " gangs";
        String tier = c.spot()
                ? String.format(
                        Locale.ROOT,
                        "Spot (%s evictions/node-h, price %s, checkpoint %s)",
                        SimulationResult.num(c.evictionsPerNodeHour()),
                        SimulationResult.num(c.spotPriceRatio()),
                        c.checkpointS() == 0 ? "as the trace says" : "every " + c.checkpointS() + " s")
                : "dedicated";
        return quota + ", " + tier;
    }

    private static String capacityJson(Capacity c, CapacityResult k) {
        return String.format(
                Locale.ROOT,
                "{\"quotaNodes\":%d,\"gangs\":\"%s\",\"tier\":\"%s\",\"evictionsPerNodeHour\":%s,"
                        + "\"priceRatio\":%s,\"checkpointS\":%d,\"costNodeHours\":%.3f,\"heldIdleNodeHours\":%.3f,"
                        + "\"quotaRefusals\":%d,\"evictions\":%d,\"requeues\":%d,\"lostNodeHours\":%.3f,"
                        + "\"failedJobs\":%d}",
                c.quotaNodes(),
                c.atomicGangs() ? "atomic" : "partial",
                c.spot() ? "spot" : "dedicated",
                SimulationResult.num(c.evictionsPerNodeHour()),
                SimulationResult.num(c.price()),
                c.checkpointS(),
                k.costNodeHours(),
                k.heldIdleNodeHours(),
                k.quotaRefusals(),
                k.evictions(),
                k.requeues(),
                k.lostNodeHours(),
                k.failedJobs());
    }

    private static void runAll(Trace trace, Options o, PrintStream out) throws IOException {
        List<SimulationResult> results = new ArrayList<>();
        for (int t : FRONTIER_IDLE_S) {
            results.add(simulate(trace, FixedIdlePolicy.NAME, o.settings(t), o.bootS));
        }
        for (String name : Policies.names()) {
            if (!name.equals(FixedIdlePolicy.NAME)) {
                results.add(simulate(trace, name, o.settings(o.idleS), o.bootS));
            }
        }
        Files.createDirectories(o.out);
        String base = baseName(trace.name());
        Path csv = o.out.resolve(base + "-frontier.csv");
        Path svg = o.out.resolve(base + "-frontier.svg");
        Files.writeString(csv, Frontier.csv(results), StandardCharsets.UTF_8);
        Files.writeString(svg, Frontier.svg(trace.name(), o.bootS, results), StandardCharsets.UTF_8);
        if (o.json) {
            StringBuilder sb = new StringBuilder("{\"trace\":\"" + trace.name() + "\",\"csv\":\"" + json(csv)
                    + "\",\"svg\":\"" + json(svg) + "\",\"results\":[");
            for (int i = 0; i < results.size(); i++) {
                sb.append(i == 0 ? "" : ",").append(results.get(i).toJson());
            }
            out.println(sb.append("]}"));
        } else {
            out.print(table(results));
            out.println("wrote " + csv + " and " + svg);
        }
    }

    private static String json(Path p) {
        return p.toString().replace("\\", "\\\\").replace("\"", "\\\"");
    }

    static String baseName(String file) {
        return file.endsWith(".csv") ? file.substring(0, file.length() - 4) : file;
    }

    static String table(List<SimulationResult> results) {
        StringBuilder sb = new StringBuilder();
        SimulationResult first = results.get(0);
        sb.append(String.format(
                Locale.ROOT,
                "trace %s: %d jobs, oracle %.1f node-h, boot %s s, max nodes %s%n",
                first.trace(),
                first.jobs(),
                first.oracleNodeHours(),
                SimulationResult.num(first.bootS()),
                first.maxNodes() < 0 ? "unlimited" : Long.toString(first.maxNodes())));
        sb.append(String.format(
                Locale.ROOT,
                "%-15s %7s %12s %9s %9s %8s %8s %8s %9s %8s %8s %7s%n",
                "policy",
                "idle_s",
                "node_h",
                "cost",
                "mean_w_s",
                "p50_w_s",
                "p95_w_s",
                "p99_w_s",
                "max_w_s",
                "ups",
                "downs",
                "time_s"));
        for (SimulationResult r : results) {
            sb.append(String.format(
                    Locale.ROOT,
                    "%-15s %7s %12.1f %9.4f %9.1f %8s %8s %8s %9s %8d %8d %7.2f%n",
                    r.policy(),
                    SimulationResult.num(r.idleS()),
                    r.nodeHours(),
                    r.costRatio(),
                    r.meanWaitS(),
                    SimulationResult.num(r.p50WaitS()),
                    SimulationResult.num(r.p95WaitS()),
                    SimulationResult.num(r.p99WaitS()),
                    SimulationResult.num(r.maxWaitS()),
                    r.scaleUps(),
                    r.scaleDowns(),
                    r.replayS()));
            if (r.startedJobs() < r.jobs()) {
                sb.append(String.format(
                        Locale.ROOT,
                        "  %d job(s) never started (need more than max nodes)%n",
                        r.jobs() - r.startedJobs()));
            }
        }
        return sb.toString();
    }

    static final class Options {
        Path trace;
        String policy;
        double idleS = 120;
        double bootS = 120;
        int maxNodes = Integer.MAX_VALUE;
        int minNodes = 0;
        boolean json;
        boolean help;
        double windowS;
        Path out = Path.of("target", "sim");
        int quotaNodes = -1;
        boolean atomicGangs = true;
        double evictionRate = -1;
        double spotPriceRatio = 0.3;
        long checkpointS = -1;
        int maxAttempts = 5;
        long seed = 1;
        long gangDeadlineS = 600;
        boolean capacityReport;
        boolean teams;
        java.util.Map<String, Double> teamWeights = java.util.Map.of();

        /** The quota and tier the options ask for ({@link Capacity#NONE} without any). */
        Capacity capacity() {
            Capacity c = new Capacity(
                    quotaNodes, atomicGangs, false, 0, 1, Math.max(0, checkpointS), maxAttempts, seed, gangDeadlineS);
            if (evictionRate >= 0) {
                c = c.withSpot(evictionRate, spotPriceRatio, Math.max(0, checkpointS));
            }
            return c;
        }

        ScalingSettings settings(double idle) {
            return new ScalingSettings(minNodes, maxNodes, Duration.ofMillis(Math.round(idle * 1000)));
        }

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--trace" -> o.trace = Path.of(value(args, ++i, a));
                    case "--policy" -> o.policy = value(args, ++i, a);
                    case "--idle" -> o.idleS = seconds(value(args, ++i, a), a);
                    case "--boot" -> o.bootS = seconds(value(args, ++i, a), a);
                    case "--max-nodes" -> o.maxNodes = count(value(args, ++i, a), a, 1);
                    case "--min-nodes" -> o.minNodes = count(value(args, ++i, a), a, 0);
                    case "--out" -> o.out = Path.of(value(args, ++i, a));
                    case "--windows" -> o.windowS = length(value(args, ++i, a), a);
                    case "--quota-nodes" -> o.quotaNodes = count(value(args, ++i, a), a, 1);
                    case "--gangs" -> o.atomicGangs = gangs(value(args, ++i, a), a);
                    case "--spot-eviction-rate" -> o.evictionRate = seconds(value(args, ++i, a), a);
                    case "--spot-price-ratio" -> o.spotPriceRatio = seconds(value(args, ++i, a), a);
                    case "--checkpoint-every" -> o.checkpointS = Math.round(seconds(value(args, ++i, a), a));
                    case "--max-attempts" -> o.maxAttempts = count(value(args, ++i, a), a, 1);
                    case "--seed" -> o.seed = Long.parseLong(value(args, ++i, a));
                    case "--max-gang-provision-time" -> o.gangDeadlineS = Math.round(seconds(value(args, ++i, a), a));
                    case "--capacity-report" -> o.capacityReport = true;
                    case "--teams" -> o.teams = true;
                    case "--team-weights" -> o.teamWeights = TeamsReport.parseWeights(value(args, ++i, a));
                    case "--json" -> o.json = true;
                    case "--help", "-h" -> o.help = true;
                    default -> throw new IllegalArgumentException("unknown argument '" + a + "'");
                }
            }
            if (o.help) {
                return o;
            }
            if (o.trace == null) {
                throw new IllegalArgumentException("--trace is required");
            }
            if (o.policy == null && o.windowS > 0) {
                o.policy = "all";
            }
            if (!o.teamWeights.isEmpty() && !o.teams) {
                throw new IllegalArgumentException("--team-weights needs --teams");
            }
            if (o.teams) {
                if (o.maxNodes == Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("--teams needs --max-nodes: the size of the shared cluster");
                }
                if (o.policy != null || o.capacityReport || o.windowS > 0) {
                    throw new IllegalArgumentException(
                            "--teams replays one shared cluster of fixed size: not with --policy, --windows or"
                                    + " --capacity-report");
                }
                return o;
            }
            if (o.capacityReport) {
                if (o.quotaNodes < 0 || o.evictionRate <= 0) {
                    throw new IllegalArgumentException(
                            "--capacity-report needs --quota-nodes and --spot-eviction-rate > 0");
                }
                if (o.windowS > 0 || "all".equals(o.policy)) {
                    throw new IllegalArgumentException("--capacity-report runs one policy: not with --windows or all");
                }
                if (o.policy == null) {
                    o.policy = FixedIdlePolicy.NAME;
                }
                if (o.checkpointS < 0) {
                    o.checkpointS = 1800;
                }
            }
            if (o.policy == null) {
                throw new IllegalArgumentException("--policy is required");
            }
            if (o.windowS > 0 && !o.policy.equals("all")) {
                throw new IllegalArgumentException("--windows scores every policy: leave out --policy or use all");
            }
            if (!o.policy.equals("all") && !Policies.names().contains(o.policy)) {
                throw new IllegalArgumentException(
                        "unknown policy '" + o.policy + "'; known: " + String.join(", ", Policies.names()) + ", all");
            }
            if (o.minNodes > o.maxNodes) {
                throw new IllegalArgumentException("--min-nodes must not exceed --max-nodes");
            }
            return o;
        }

        private static boolean gangs(String v, String flag) {
            return switch (v) {
                case "atomic" -> true;
                case "partial" -> false;
                default -> throw new IllegalArgumentException(flag + " needs atomic or partial, got '" + v + "'");
            };
        }

        private static String value(String[] args, int i, String flag) {
            if (i >= args.length) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            return args[i];
        }

        private static double seconds(String v, String flag) {
            try {
                double d = Double.parseDouble(v);
                if (d < 0 || Double.isNaN(d) || Double.isInfinite(d)) {
                    throw new NumberFormatException();
                }
                return d;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + " needs seconds >= 0, got '" + v + "'");
            }
        }

        /** A length such as 7d, 12h, 30m, 3600s or 3600 (seconds); > 0. */
        static double length(String v, String flag) {
            double unit = 1;
            String n = v;
            if (v.endsWith("d") || v.endsWith("h") || v.endsWith("m") || v.endsWith("s")) {
                unit = switch (v.charAt(v.length() - 1)) {
                    case 'd' -> 86400;
                    case 'h' -> 3600;
                    case 'm' -> 60;
                    default -> 1;
                };
                n = v.substring(0, v.length() - 1);
            }
            try {
                double d = Double.parseDouble(n) * unit;
                if (!(d > 0) || Double.isInfinite(d)) {
                    throw new NumberFormatException();
                }
                return d;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        flag + " needs a length > 0 such as 7d, 12h or 3600s, got '" + v + "'");
            }
        }

        private static int count(String v, String flag, int min) {
            try {
                int n = Integer.parseInt(v);
                if (n < min) {
                    throw new NumberFormatException();
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + " needs an integer >= " + min + ", got '" + v + "'");
            }
        }
    }
}
