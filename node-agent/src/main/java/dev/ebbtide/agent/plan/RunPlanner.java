package dev.ebbtide.agent.plan;

import dev.ebbtide.agent.Layout;
import dev.ebbtide.agent.RankEnvironment;
import dev.ebbtide.agent.env.EnvironmentMap.Resolution;
import dev.ebbtide.agent.plan.RunPlan.InputStep;
import dev.ebbtide.agent.plan.RunPlan.OutputFolder;
import dev.ebbtide.agent.plan.RunPlan.RankPlan;
import dev.ebbtide.agent.plan.RunPlan.Upload;
import dev.ebbtide.agent.sandbox.Container;
import dev.ebbtide.agent.sandbox.Sandbox;
import dev.ebbtide.common.data.DataUri;
import dev.ebbtide.common.events.Distribution;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.job.Checkpoint;
import dev.ebbtide.common.job.CommandTemplate;
import dev.ebbtide.common.job.JobInput;
import dev.ebbtide.common.job.JobOutput;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Pure: a job assignment and the node's facts → this node's {@link RunPlan}. Throws {@link IllegalArgumentException}
 * with one sentence (without "could not start") when the node cannot run the job as written.
 */
public final class RunPlanner {
    /** A mapped host Python's links, first on {@code PATH} in the sandbox. */
    public static final String BIN = "/mnt/azureml/bin";

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private RunPlanner() {}

    /**
     * What the plan depends on besides the assignment.
     *
     * @param sandboxed    ranks run in the sandbox (paths are {@code /mnt/azureml/…}); false = the host paths
     * @param hasDatastore the node has a default datastore (needed for code, data inputs and outputs)
     * @param environment  what the node runs for the job's {@code environment:} ({@code EnvironmentMap.resolve})
     */
    public record Facts(
            Layout layout,
            RankEnvironment.Node node,
            boolean sandboxed,
            boolean hasDatastore,
            Resolution environment) {}

    /**
     * @param resolved input name → its resolved location (an asset or another job's output already looked up); an
     *     input absent here is planned from its path as written
     */
    public static RunPlan plan(JobAssigned a, int nodeRank, Facts f, Map<String, String> resolved) {
        var spec = a.spec();
        String node = f.node().name();
        int attempt = a.attempt() == null ? 1 : a.attempt();
        if (!f.hasDatastore() && spec.code() != null) {
            throw new IllegalArgumentException("the job has code, and node " + node + " has no datastore configured"
                    + " (set the agent's datastore-path or datastore-account)");
        }
        if (spec.code() != null) {
            check("code", spec.code().uri());
        }
        RunPlan.Runtime runtime = runtime(a, f, attempt);
        // a container shows the job's folders at the sandbox's paths whatever the sandbox setting
        boolean inside = f.sandboxed() || runtime instanceof RunPlan.Runtime.Container;
        List<InputStep> inputs = new ArrayList<>();
        Map<String, String> inputValues = new LinkedHashMap<>();
        Map<String, String> inputEnv = new LinkedHashMap<>();
        for (Map.Entry<String, JobInput> e : spec.inputs().entrySet()) {
            String name = name("input", e.getKey());
            JobInput in = e.getValue();
            if (in.isLiteral()) {
                if (in.value() != null) {
                    inputValues.put(name, in.value());
                    inputEnv.put(name, in.value());
                }
                continue;
            }
            if (!JobInput.DATA_TYPES.contains(in.type())) {
                throw new IllegalArgumentException("input " + name + " has type '" + in.type() + "', which is neither"
                        + " a literal (string, integer, number, boolean) nor data (uri_file, uri_folder, mlflow_model,"
                        + " custom_model)");
            }
            if (in.path() == null || in.path().isBlank()) {
                throw new IllegalArgumentException("input " + name + " of type " + in.type() + " has no path");
            }
            if (!f.hasDatastore()) {
                throw new IllegalArgumentException("input " + name + " needs a datastore, and node " + node
                        + " has none configured (set the agent's datastore-path or datastore-account)");
            }
            String uri = resolved.getOrDefault(name, in.path());
            DataUri parsed = check("input " + name, uri);
            if (parsed instanceof DataUri.Web && !"uri_file".equals(in.type())) {
                throw new IllegalArgumentException("input " + name + " is a web URL (" + in.path() + "), which is one"
                        + " file: give it type uri_file");
            }
            String file = "uri_file".equals(in.type()) ? fileName(name, in.path(), uri) : null;
            Path dir = f.layout().inputDir(a.jobId(), attempt, name);
            inputs.add(new InputStep(
                    name, in.type(), uri, in.path(), dir, file, in.mode() == null ? "ro_mount" : in.mode()));
            String inSandbox = Sandbox.INPUTS + "/" + name + (file == null ? "" : "/" + file);
            String value =
                    inside ? inSandbox : dir.resolve(file == null ? "" : file).toString();
            inputValues.put(name, value);
            inputEnv.put(name, value);
        }
        List<OutputFolder> outputs = outputs(a, f.layout());
        if (!outputs.isEmpty() && !f.hasDatastore()) {
            throw new IllegalArgumentException("output " + outputs.get(0).name() + " needs a datastore, and node "
                    + node + " has none configured (set the agent's datastore-path or datastore-account)");
        }
        Map<String, String> outputValues = new LinkedHashMap<>();
        Map<String, String> manifest = new LinkedHashMap<>();
        for (OutputFolder o : outputs) {
            String suffix = o.fileName() == null ? "" : "/" + o.fileName();
            outputValues.put(o.name(), inside ? Sandbox.OUTPUTS + "/" + o.name() + suffix : o.hostDir() + suffix);
            manifest.put(o.name(), new DataUri.Datastore(o.datastore(), o.path()).toString());
        }
        String command = CommandTemplate.render(spec.command(), inputValues, outputValues);
        List<RankPlan> ranks = new ArrayList<>();
        int perNode = RankEnvironment.processesPerNode(spec);
        boolean mpi = spec.distribution() != null
                && Distribution.MPI.equals(spec.distribution().type());
        for (int local = 0; local < perNode; local++) {
            int rank = nodeRank * perNode + local;
            Path wd = f.layout().rankDir(a.jobId(), attempt, rank);
            Map<String, String> env = environment(a, nodeRank, local, f, runtime);
            env.put("AZUREML_RUN_ID", a.jobId());
            inputEnv.forEach((k, v) -> env.put("AZURE_ML_INPUT_" + k, v));
            outputValues.forEach((k, v) -> env.put("AZURE_ML_OUTPUT_" + k, v));
            if (runtime instanceof RunPlan.Runtime.Container) {
                Container.envFile(env); // refuses now a value docker's --env-file cannot carry
            }
            List<Sandbox.Mount> mounts = new ArrayList<>();
            if (inside) {
                mounts.add(new Sandbox.Mount(wd, Sandbox.WORK_DIR, false));
                if (mpi) {
                    mounts.add(new Sandbox.Mount(f.layout().hostfile(a.jobId(), attempt), Sandbox.HOSTFILE, true));
                }
                for (InputStep in : inputs) {
                    mounts.add(new Sandbox.Mount(in.hostDir(), Sandbox.INPUTS + "/" + in.name(), true));
                }
                for (OutputFolder o : outputs) {
                    mounts.add(new Sandbox.Mount(o.hostDir(), Sandbox.OUTPUTS + "/" + o.name(), false));
                }
                if (runtime instanceof RunPlan.Runtime.Host h && h.python() != null) {
                    mounts.add(new Sandbox.Mount(h.binDir(), BIN, true));
                }
            }
            ranks.add(
                    new RankPlan(rank, local, wd, f.layout().logFile(a.jobId(), attempt, rank), command, env, mounts));
        }
        return new RunPlan(
                a.jobId(),
                attempt,
                nodeRank,
                spec.code(),
                inputs,
                outputs,
                runtime,
                ranks,
                uploads(a, nodeRank, f.layout(), outputs),
                manifest,
                checkpoint(a, outputs, attempt));
    }

    /** The output named by {@code tags: {ebbtide.checkpoint: <name>}}, restored from the second attempt on. */
    public static RunPlan.Checkpoint checkpoint(JobAssigned a, List<OutputFolder> outputs, int attempt) {
        Checkpoint.problem(a.spec().tags(), a.spec().outputs()).ifPresent(p -> {
            throw new IllegalArgumentException(p);
        });
        return Checkpoint.output(a.spec().tags())
                .flatMap(name ->
                        outputs.stream().filter(o -> o.name().equals(name)).findFirst())
                .map(o -> new RunPlan.Checkpoint(o.name(), o.hostDir(), o.datastore(), o.path(), attempt > 1))
                .orElse(null);
    }

    /** The job's outputs as this node holds them: where each is written and where it is uploaded. */
    public static List<OutputFolder> outputs(JobAssigned a, Layout layout) {
        int attempt = a.attempt() == null ? 1 : a.attempt();
        List<OutputFolder> out = new ArrayList<>();
        for (Map.Entry<String, JobOutput> e : a.spec().outputs().entrySet()) {
            String name = name("output", e.getKey());
            JobOutput o = e.getValue();
            DataUri.Datastore where;
            if (o.path() == null || o.path().isBlank()) {
                where = DataUri.defaultOutput(a.jobId(), name);
            } else if (check("output " + name, o.path()) instanceof DataUri.Datastore ds) {
                where = ds;
            } else {
                throw new IllegalArgumentException("output " + name + " has path " + o.path() + "; an output is"
                        + " uploaded to a datastore: use azureml://datastores/<name>/paths/<path>");
            }
            String file = null;
            String path = where.path();
            if ("uri_file".equals(o.type()) && !path.isEmpty() && !path.endsWith("/")) {
                file = path.substring(path.lastIndexOf('/') + 1);
            } else if (!path.isEmpty() && !path.endsWith("/")) {
                path = path + "/";
            }
            out.add(new OutputFolder(
                    name, o.type(), layout.outputDir(a.jobId(), attempt, name), file, where.datastore(), path));
        }
        return out;
    }

    /**
     * What this node uploads when its ranks end: each output, then per rank its {@code ./outputs} and {@code ./logs}
     * (the job's artifacts) and its log as {@code user_logs/std_log_rank_<r>.txt}.
     */
    public static List<Upload> uploads(JobAssigned a, int nodeRank, Layout layout, List<OutputFolder> outputs) {
        int attempt = a.attempt() == null ? 1 : a.attempt();
        List<Upload> up = new ArrayList<>();
        for (OutputFolder o : outputs) {
            up.add(
                    o.fileName() == null
                            ? new Upload("output " + o.name(), o.hostDir(), true, o.datastore(), o.path())
                            : new Upload(
                                    "output " + o.name(),
                                    o.hostDir().resolve(o.fileName()),
                                    false,
                                    o.datastore(),
                                    o.path()));
        }
        String artifacts = "azureml/" + a.jobId() + "/artifacts/";
        int perNode = RankEnvironment.processesPerNode(a.spec());
        for (int local = 0; local < perNode; local++) {
            int rank = nodeRank * perNode + local;
            Path wd = layout.rankDir(a.jobId(), attempt, rank);
            String ds = DataUri.DEFAULT_DATASTORE;
            up.add(new Upload("./outputs of rank " + rank, wd.resolve("outputs"), true, ds, artifacts + "outputs/"));
            up.add(new Upload("./logs of rank " + rank, wd.resolve("logs"), true, ds, artifacts + "logs/"));
            up.add(new Upload(
                    "the log of rank " + rank,
                    layout.logFile(a.jobId(), attempt, rank),
                    false,
                    ds,
                    artifacts + "user_logs/std_log_rank_" + rank + ".txt"));
        }
        return up;
    }

    private static RunPlan.Runtime runtime(JobAssigned a, Facts f, int attempt) {
        Resolution r = f.environment();
        if (r instanceof Resolution.Unavailable u) {
            throw new IllegalArgumentException(u.sentence());
        }
        if (r instanceof Resolution.Container c) {
            return new RunPlan.Runtime.Container(c.image(), c.why());
        }
        if (r instanceof Resolution.Image i) {
            if (!f.sandboxed()) {
                throw new IllegalArgumentException(
                        "the job's " + a.spec().environment().describe() + " runs in its"
                                + " image's root filesystem, which needs sandbox=bwrap, and node "
                                + f.node().name()
                                + " has sandbox=none");
            }
            return new RunPlan.Runtime.Image(i.image(), i.why());
        }
        Resolution.Host h = (Resolution.Host) r;
        return new RunPlan.Runtime.Host(h.python(), h.packages(), f.layout().binDir(a.jobId(), attempt), h.why());
    }

    /**
     * The rank's environment, lowest first: the image's {@code Env} (image runtime), then {@link RankEnvironment}'s
     * with {@code PATH} = the image's (or {@value RankEnvironment#DEFAULT_PATH}), or on the host the agent's with a
     * mapped Python's links first; in a container no {@code PATH} unless the job sets one (docker applies the image's
     * {@code ENV} below the variables given).
     */
    private static Map<String, String> environment(
            JobAssigned a, int nodeRank, int local, Facts f, RunPlan.Runtime runtime) {
        Map<String, String> env = new LinkedHashMap<>();
        RankEnvironment.Node n = f.node();
        String path;
        if (runtime instanceof RunPlan.Runtime.Image i) {
            for (String kv : i.image().env()) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    env.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
            }
            path = env.getOrDefault("PATH", RankEnvironment.DEFAULT_PATH);
        } else if (runtime instanceof RunPlan.Runtime.Container) {
            path = null; // the image's own ENV (PATH included) applies in its container; the agent's PATH means
            // nothing there
        } else {
            RunPlan.Runtime.Host h = (RunPlan.Runtime.Host) runtime;
            path = n.path() == null || n.path().isBlank() ? RankEnvironment.DEFAULT_PATH : n.path();
            if (h.python() != null) {
                path = (f.sandboxed() ? BIN : h.binDir().toString()) + ":" + path;
            }
        }
        Map<String, String> rank = RankEnvironment.build(
                a, nodeRank, local, new RankEnvironment.Node(n.name(), n.address(), n.port(), n.layout(), path));
        boolean container = runtime instanceof RunPlan.Runtime.Container;
        if (container && !a.spec().environmentVariables().containsKey("PATH")) {
            rank.remove("PATH");
        }
        env.putAll(f.sandboxed() || container ? Sandbox.environment(rank) : rank);
        return env;
    }

    private static DataUri check(String what, String uri) {
        try {
            return DataUri.parse(uri);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage());
        }
    }

    private static String name(String what, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    what + " name '" + name + "' is not usable as a folder name" + " ([A-Za-z_][A-Za-z0-9_]*)");
        }
        return name;
    }

    /** The last segment of a file's path (the query of a web URL left out). */
    private static String fileName(String name, String written, String uri) {
        String p = uri;
        int q = p.indexOf('?');
        if (q >= 0) {
            p = p.substring(0, q);
        }
        int hash = p.indexOf('#');
        if (hash >= 0) {
            p = p.substring(0, hash);
        }
        String file = p.substring(p.lastIndexOf('/') + 1);
        if (file.isEmpty() || file.equals(".") || file.equals("..")) {
            throw new IllegalArgumentException("input " + name + " is a uri_file, but its path " + written
                    + " names a folder, not a file: give it type uri_folder or name the file");
        }
        return file;
    }
}
