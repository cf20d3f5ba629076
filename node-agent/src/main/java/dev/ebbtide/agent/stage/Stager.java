package dev.ebbtide.agent.stage;

import dev.ebbtide.agent.AgentLog;
import dev.ebbtide.agent.plan.RunPlan;
import dev.ebbtide.agent.sandbox.ContainerRuntime;
import dev.ebbtide.agent.sandbox.SandboxRuntime;
import dev.ebbtide.common.data.DataUri;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.job.JobInput;
import dev.ebbtide.datastore.CodeSnapshot;
import dev.ebbtide.datastore.DataAssets;
import dev.ebbtide.datastore.Datastore;
import dev.ebbtide.datastore.Datastores;
import dev.ebbtide.datastore.OutputsManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Does the staging steps of a {@link RunPlan} before the ranks start (off the agent's loop thread): the environment's
 * Debian packages checked, a mapped Python's links, an image's root prepared, the code unpacked into each rank's
 * working directory, a container's image pulled, each data input fetched (a {@code ro_mount} is served as a download), from the
 * second attempt on the checkpoint output restored ({@link Checkpoints}), the output folders created and given to the job user. Every failure is an {@link IOException} with one sentence naming the input or output.
 */
public final class Stager {
    private final Datastores stores;
    private final SandboxRuntime sandbox;
    private final HostPackages packages;
    private final WebFiles web;
    private final String node;
    private final ContainerRuntime containers;
    private final Checkpoints checkpoints;

    /** @param stores the node's datastores, or null when it has none (the planner refuses jobs that need one) */
    public Stager(Datastores stores, SandboxRuntime sandbox, HostPackages packages, WebFiles web, String node) {
        this(stores, sandbox, packages, web, node, null);
    }

    /** As above; {@code containers} pulls a container environment's image (null: the node has runtime=bwrap). */
    public Stager(
            Datastores stores,
            SandboxRuntime sandbox,
            HostPackages packages,
            WebFiles web,
            String node,
            ContainerRuntime containers) {
        this.containers = containers;
        this.stores = stores;
        this.sandbox = sandbox;
        this.packages = packages;
        this.web = web;
        this.node = node;
        this.checkpoints = new Checkpoints(stores, Clock.systemUTC(), Checkpoints.MAX_WAIT);
    }

    /**
     * Where each data input given as a data asset or as another job's output is (I/O: the asset's record, the other
     * job's {@code outputs.json}); other inputs are left as written.
     */
    public Map<String, String> resolveInputs(JobAssigned a) throws IOException {
        Map<String, String> resolved = new LinkedHashMap<>();
        if (stores == null) {
            return resolved;
        }
        for (Map.Entry<String, JobInput> e : a.spec().inputs().entrySet()) {
            JobInput in = e.getValue();
            if (in.isLiteral() || in.path() == null) {
                continue;
            }
            DataUri uri;
            try {
                uri = DataUri.parse(in.path());
            } catch (RuntimeException ex) {
                continue; // the planner names it
            }
            try {
                if (uri instanceof DataUri.Asset asset) {
                    String path = new DataAssets(stores.defaultStore(), Clock.systemUTC())
                            .resolve(asset)
                            .path();
                    if (DataUri.parse(path) instanceof DataUri.Asset) {
                        throw new IOException("data asset " + asset + " points at another asset");
                    }
                    resolved.put(e.getKey(), path);
                } else if (uri instanceof DataUri.JobOutputRef ref) {
                    String where = OutputsManifest.read(stores.defaultStore(), ref.jobId())
                            .map(m -> m.outputs().get(ref.output()))
                            .orElse(null);
                    resolved.put(
                            e.getKey(),
                            where != null
                                    ? where
                                    : DataUri.defaultOutput(ref.jobId(), ref.output())
                                            .toString());
                }
            } catch (NoSuchFileException ex) {
                throw new IOException("input " + e.getKey() + ": " + in.path() + " does not exist");
            } catch (IOException | RuntimeException ex) {
                throw new IOException("input " + e.getKey() + ": " + ex.getMessage());
            }
        }
        return resolved;
    }

    /** Runs the staging steps; the ranks may start once it returns. */
    public void stage(RunPlan plan, String environment) throws IOException {
        String job = "job " + plan.jobId() + " attempt " + plan.attempt();
        if (plan.runtime() instanceof RunPlan.Runtime.Host h) {
            List<String> missing = packages.missing(h.packages());
            if (!missing.isEmpty()) {
                String list = String.join(" ", missing);
                throw new IOException("the job's " + environment + " needs the Debian packages " + list + " on node "
                        + node + ": apt-get install -y " + list);
            }
            if (h.python() != null) {
                Files.createDirectories(h.binDir());
                for (String name : List.of("python", "python3")) {
                    Path link = h.binDir().resolve(name);
                    Files.deleteIfExists(link);
                    Files.createSymbolicLink(link, Path.of(h.python()));
                }
            }
        } else if (plan.runtime() instanceof RunPlan.Runtime.Image i) {
            SandboxRuntime.prepareImage(i.image().rootfs());
        } else if (plan.runtime() instanceof RunPlan.Runtime.Container c) {
            if (containers == null) {
                throw new IOException("node " + node + " does not run containers (runtime=bwrap)");
            }
            long ms = containers.pull(c.image());
            AgentLog.info(job + ": image " + c.image() + " pulled in " + ms + " ms");
        }
        Path first = null;
        for (RunPlan.RankPlan r : plan.ranks()) {
            Files.createDirectories(r.workDir());
            if (plan.code() != null) {
                if (first == null) {
                    int files = fetchCode(plan, r.workDir());
                    AgentLog.info(job + ": code " + plan.code().digest() + " unpacked, " + files + " files");
                } else {
                    copyTree(first, r.workDir());
                }
            }
            first = first == null ? r.workDir() : first;
            sandbox.prepare(r.workDir());
            sandbox.prepareTree(r.workDir());
        }
        for (RunPlan.InputStep in : plan.inputs()) {
            fetchInput(job, in);
        }
        if (plan.checkpoint() != null && plan.checkpoint().restore()) {
            try {
                AgentLog.info(job + ": " + checkpoints.restore(plan));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("staging was stopped while waiting for the checkpoint");
            } catch (IOException | RuntimeException e) {
                throw new IOException(
                        "checkpoint " + plan.checkpoint().output() + " could not be restored: " + e.getMessage());
            }
        }
        for (RunPlan.OutputFolder o : plan.outputs()) {
            Files.createDirectories(o.hostDir());
            sandbox.prepareTree(o.hostDir());
        }
    }

    private int fetchCode(RunPlan plan, Path dir) throws IOException {
        try {
            return CodeSnapshot.fetch(stores, plan.code(), dir);
        } catch (NoSuchFileException e) {
            throw new IOException("the code snapshot " + plan.code().uri() + " does not exist");
        } catch (RuntimeException e) {
            throw new IOException("the code snapshot " + plan.code().uri() + ": " + e.getMessage());
        }
    }

    private void fetchInput(String job, RunPlan.InputStep in) throws IOException {
        String what = "input " + in.name() + ": ";
        Files.createDirectories(in.hostDir());
        long files;
        try {
            DataUri uri = DataUri.parse(in.uri());
            if (uri instanceof DataUri.Web w) {
                web.download(w.url(), in.hostPath());
                files = 1;
            } else {
                Datastores.Location at = stores.resolve(uri);
                Datastore store = at.datastore();
                if (in.fileName() != null) {
                    store.download(at.path(), in.hostPath());
                    files = 1;
                } else {
                    String folder = at.path().isEmpty() || at.path().endsWith("/") ? at.path() : at.path() + "/";
                    files = store.downloadTree(folder, in.hostDir()).files();
                    if (files == 0) {
                        throw new NoSuchFileException(in.uri());
                    }
                }
            }
        } catch (NoSuchFileException e) {
            throw new IOException(what + in.written() + " does not exist"
                    + (in.written().equals(in.uri()) ? "" : " (" + in.uri() + ")"));
        } catch (IOException | RuntimeException e) {
            throw new IOException(what + e.getMessage());
        }
        readableByAll(in.hostDir());
        AgentLog.info(job + ": input " + in.name() + " (" + in.type() + ", "
                + ("ro_mount".equals(in.mode()) ? "ro_mount served as a download" : in.mode()) + "): " + files
                + " file(s) from " + in.uri());
    }

    /** Inputs are read by the job user: folders 755, files 644 (755 when executable). */
    private static void readableByAll(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (Files.isSymbolicLink(p)) {
                    continue;
                }
                boolean x = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) || Files.isExecutable(p);
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(x ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(target);
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
