package dev.ebbtide.agent;

import dev.ebbtide.agent.evict.EvictionWatcher;
import dev.ebbtide.agent.sandbox.ContainerRuntime;
import dev.ebbtide.agent.sandbox.SandboxRuntime;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The node agent: {@code java -cp node-agent.jar:lib/* dev.ebbtide.agent.NodeAgentMain --cluster=C --node=N …}.
 * Exit codes: 0 after a clean shutdown, 2 for a bad configuration (one sentence on stderr), 1 for anything else.
 */
public final class NodeAgentMain {

    private NodeAgentMain() {}

    public static void main(String[] args) {
        setUpLogging();
        AgentConfig config;
        try {
            config = Imds.resolve(AgentConfig.parse(args));
        } catch (AgentConfig.BadConfig e) {
            System.err.println("ebbtide node agent: " + e.getMessage());
            System.exit(2);
            return;
        } catch (InterruptedException e) {
            System.exit(1);
            return;
        }
        try {
            System.exit(run(config));
        } catch (AgentConfig.BadConfig e) {
            System.err.println("ebbtide node agent: " + e.getMessage());
            System.exit(2);
        } catch (IOException | RuntimeException e) {
            AgentLog.warn("the node agent failed: " + e);
            System.exit(1);
        }
    }

    static int run(AgentConfig config) throws IOException {
        Layout layout = new Layout(config.workDir());
        Files.createDirectories(layout.ranks());
        // the agent's own state: not for ranks (they also never see it: the work dir is hidden in their sandbox)
        Files.setPosixFilePermissions(
                layout.ranks(), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        FileChannel lockChannel = FileChannel.open(
                config.workDir().resolve("agent.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = lockChannel.tryLock();
        if (lock == null) {
            System.err.println("ebbtide node agent: another agent already runs in " + config.workDir());
            return 2;
        }
        Files.writeString(layout.agentPid(), ProcessHandle.current().pid() + "\n");
        AgentLog.info("starting: " + config);
        layout = JobsRoot.choose(
                layout,
                config.sandbox(),
                "root".equals(System.getProperty("user.name")),
                config.data().jobsRoot());
        List<Path> hide = new ArrayList<>(config.sandboxHide());
        if (!layout.jobs().startsWith(config.workDir())) {
            hide.add(layout.jobs());
        }
        SandboxRuntime sandbox = SandboxRuntime.detect(
                config.sandbox(), config.node(), config.jobUser(), config.workDir(), config.configFile(), hide);
        if (sandbox.mode() == SandboxRuntime.Mode.NONE || sandbox.problem() != null) {
            AgentLog.warn(sandbox.describe());
        } else {
            AgentLog.info(sandbox.describe());
        }
        HostFacts facts = HostFacts.detect(config);
        ContainerRuntime containers = null;
        if (config.data().runtime() == ContainerRuntime.Kind.DOCKER) {
            containers = ContainerRuntime.detect(
                    config.node(), config.jobUser(), "root".equals(System.getProperty("user.name")), facts.gpus());
            if (containers.problem() != null) {
                AgentLog.warn(containers.describe());
            } else {
                AgentLog.info(containers.describe());
            }
        }
        RankEnvironment.Node node =
                new RankEnvironment.Node(config.node(), facts.address(), config.port(), layout, System.getenv("PATH"));
        NodeAgent agent = new NodeAgent(
                config,
                facts,
                new Handled(layout.handled()),
                new Runner(layout, node, config.stopGracePeriod(), sandbox, data(config, layout), containers),
                Clock.systemUTC(),
                evictions(config));
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            agent.requestShutdown();
                            try {
                                done.await(config.stopGracePeriod().toMillis() + 15_000, TimeUnit.MILLISECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "shutdown"));
        try {
            agent.run();
            Files.deleteIfExists(layout.agentPid());
            lock.release();
        } finally {
            done.countDown();
        }
        return 0;
    }

    /** The Scheduled Events watcher, started; null with {@code scheduled-events=off}. */
    private static EvictionWatcher evictions(AgentConfig config) {
        EvictionConfig e = config.eviction();
        if (e.source() == null) {
            return null;
        }
        EvictionWatcher w = new EvictionWatcher(e.source(), config.node(), e.interval());
        w.start();
        return w;
    }

    /** The datastores, environment mapping and images; a setting that cannot be used is a bad configuration. */
    private static Runner.Data data(AgentConfig config, Layout layout) {
        DataConfig d = config.data();
        try {
            dev.ebbtide.agent.env.ImageStore images = d.imageStore();
            if (images != null && !layout.jobs().startsWith(config.workDir())) {
                // the jobs root moved because the job user cannot pass through the work dir's parents: the images
                // folder next to it is closed the same way, so images are handed out from a copy beside the jobs
                images = images.mirroredTo(layout.jobs().resolve(".images"));
            }
            return new Runner.Data(
                    d.openDatastores(), d.environmentMap(), images, dev.ebbtide.agent.stage.HostPackages.DPKG);
        } catch (IOException | IllegalArgumentException e) {
            throw new AgentConfig.BadConfig(e.getMessage());
        }
    }

    /** One line per event on stderr; the Kafka clients only when something is wrong. */
    private static void setUpLogging() {
        Logger root = Logger.getLogger("");
        for (var h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler handler = new ConsoleHandler();
        handler.setFormatter(new Formatter() {
            private final DateTimeFormatter time = DateTimeFormatter.ISO_INSTANT.withZone(ZoneOffset.UTC);

            @Override
            public String format(LogRecord r) {
                return time.format(Instant.ofEpochMilli(r.getMillis())) + " " + r.getLevel() + " "
                        + r.getLoggerName().substring(r.getLoggerName().lastIndexOf('.') + 1) + " " + formatMessage(r)
                        + "\n";
            }
        });
        root.addHandler(handler);
        Logger.getLogger("org.apache.kafka").setLevel(Level.WARNING);
    }
}
