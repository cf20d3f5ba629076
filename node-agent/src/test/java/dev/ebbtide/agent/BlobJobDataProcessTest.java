package dev.ebbtide.agent;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ebbtide.common.events.JobRunReported;
import dev.ebbtide.common.events.NodeAgentStatus;
import dev.ebbtide.common.events.RunPhase;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.datastore.Azurite;
import dev.ebbtide.datastore.BlobDatastore;
import dev.ebbtide.datastore.Datastore;
import dev.ebbtide.devsupport.DebianPackages;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Blob code path through the node agent: the agent as an OS process (real broker), its default datastore an Azure
 * Blob container on Azurite, configured as an operator configures it ({@code datastore-account},
 * {@code datastore-container}, {@code datastore-endpoint}, {@code datastore-credential=key-file} and
 * {@code datastore-credential-file}). The job is {@link JobDataScenario}, the same one {@link JobDataProcessTest} runs
 * on a local datastore: staging (code snapshot, {@code uri_folder}, {@code uri_file}, literal) and uploads (the
 * output, {@code ./outputs}, the rank log, {@code outputs.json}), then a second job reading the first's output.
 */
class BlobJobDataProcessTest {
    static final String CLUSTER = "cpu";
    static Azurite azurite;
    static Broker broker;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        if (DebianPackages.tool("bwrap", "bubblewrap").isEmpty()) {
            fail(DebianPackages.whyMissing("bwrap", "bubblewrap"));
        }
        azurite = Azurite.start();
        broker = new Broker();
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
        if (azurite != null) {
            azurite.close();
        }
    }

    /** The agent's Blob options, the key read from {@code keyFile}. */
    static String[] blobOptions(String container, Path keyFile, String... more) {
        List<String> o = new java.util.ArrayList<>(List.of(
                "--datastore-account=" + Azurite.ACCOUNT,
                "--datastore-container=" + container,
                "--datastore-endpoint=" + azurite.serviceUrl(),
                "--datastore-credential=key-file",
                "--datastore-credential-file=" + keyFile));
        o.addAll(List.of(more));
        return o.toArray(String[]::new);
    }

    @Test
    void theAgentsDefaultDatastoreOnBlobStorageStagesCodeAndDataAndUploadsOutputs() throws Exception {
        String container = "agent-" + UUID.randomUUID().toString().substring(0, 8);
        BlobDatastore store = azurite.datastore("workspaceblobstore", container);
        Path secrets = Files.createDirectories(tmp.resolve("secrets"));
        Path keyFile = secrets.resolve("account.key");
        Files.writeString(keyFile, Azurite.KEY + "\n");
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        JobDataScenario scenario = new JobDataScenario(store, CLUSTER, "n-blob");
        String first = "blob-" + UUID.randomUUID();
        String second = "blob-" + UUID.randomUUID();
        String agentLog;
        try (AgentProcess agent = AgentProcess.start(
                broker.bootstrap(),
                CLUSTER,
                "n-blob",
                tmp.resolve("n-blob"),
                freePort(),
                blobOptions(container, keyFile, "--sandbox-hide=" + secrets))) {
            awaitStatus("n-blob", NodeAgentStatus.Kind.ANNOUNCED);

            // the job also tries to read the agent's key file: hidden from its sandbox
            broker.assign(scenario.first(first, tmp, "cat " + keyFile + " 2>/dev/null || echo no key here"));
            JobRunReported exited = awaitRun(first, RunPhase.EXITED);
            String rankLog = scenario.assertFirst(first, exited.exitCode(), exited.reason());
            assertTrue(rankLog.contains("no key here"), rankLog);
            assertFalse(rankLog.contains(Azurite.KEY), rankLog);
            List<String> blobs =
                    store.list("").stream().map(Datastore.Entry::path).toList();
            assertTrue(
                    blobs.stream().anyMatch(p -> p.startsWith("LocalUpload/") && p.endsWith("/code.tar.gz")),
                    "" + blobs);
            assertTrue(blobs.contains("azureml/" + first + "/outputs.json"), "" + blobs);
            assertTrue(
                    agent.output()
                            .contains("datastore-account=" + Azurite.ACCOUNT + ", datastore-container=" + container),
                    agent.output());

            broker.assign(scenario.second(second, first));
            JobRunReported read = awaitRun(second, RunPhase.EXITED);
            scenario.assertSecond(second, read.exitCode(), read.reason());
            agentLog = agent.output();
        }
        assertFalse(agentLog.contains(Azurite.KEY), "the key reached the agent's log:\n" + agentLog);
        for (JobRunReported r : broker.recorder.events(Topics.JOBS_RUNS, JobRunReported.class)) {
            assertFalse(String.valueOf(r).contains(Azurite.KEY), r.toString());
        }
    }

    @Test
    void anAgentWhoseKeyFileIsMissingRefusesToStartWithOneSentence() throws Exception {
        Path missing = tmp.resolve("secrets/missing.key");
        try (AgentProcess agent = AgentProcess.start(
                "127.0.0.1:1", // never reached: the agent stops before it connects
                CLUSTER,
                "n-nokey",
                tmp.resolve("n-nokey"),
                freePort(),
                blobOptions("never", missing))) {
            assertTrue(agent.process.waitFor(60, TimeUnit.SECONDS), "the agent did not stop");
            assertEquals(2, agent.process.exitValue(), agent.output());
            List<String> said = agent.output()
                    .lines()
                    .filter(l -> l.startsWith("ebbtide node agent:"))
                    .toList();
            assertEquals(
                    List.of("ebbtide node agent: cannot read the datastore credential file " + missing
                            + " (NoSuchFileException)"),
                    said,
                    agent.output());
        }
    }

    static List<JobRunReported> runs(String job) {
        return broker.recorder.events(Topics.JOBS_RUNS, JobRunReported.class).stream()
                .filter(r -> r.jobId().equals(job))
                .toList();
    }

    static JobRunReported awaitRun(String job, RunPhase phase) {
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> runs(job).stream().anyMatch(r -> r.phase() == phase));
        return runs(job).stream().filter(r -> r.phase() == phase).findFirst().orElseThrow();
    }

    static void awaitStatus(String node, NodeAgentStatus.Kind kind) {
        await().atMost(Duration.ofSeconds(60))
                .until(() -> broker.recorder.events(Topics.NODES_AGENTS, NodeAgentStatus.class).stream()
                        .anyMatch(s -> s.node().equals(node) && s.kind() == kind));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
