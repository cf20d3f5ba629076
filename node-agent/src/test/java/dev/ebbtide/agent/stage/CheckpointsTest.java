package dev.ebbtide.agent.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.agent.plan.RunPlan;
import dev.ebbtide.datastore.Datastores;
import dev.ebbtide.datastore.LocalDatastore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint between attempts, against the local datastore: restored as left, never half-uploaded. */
class CheckpointsTest {
    @TempDir
    Path tmp;

    LocalDatastore store;
    Datastores stores;

    @BeforeEach
    void stores() {
        store = new LocalDatastore("workspaceblobstore", tmp.resolve("ds"));
        stores = Datastores.of(store, List.of());
    }

    RunPlan plan(int attempt) {
        RunPlan.Checkpoint c = new RunPlan.Checkpoint(
                "ckpt",
                tmp.resolve("jobs/j1/attempt-" + attempt + "/outputs/ckpt"),
                "workspaceblobstore",
                "azureml/j1/ckpt/",
                attempt > 1);
        return new RunPlan("j1", attempt, 0, null, List.of(), List.of(), null, List.of(), List.of(), Map.of(), c);
    }

    @Test
    void theNextAttemptGetsTheFolderAsThePreviousAttemptSavedIt() throws Exception {
        Checkpoints checkpoints = new Checkpoints(stores, Clock.systemUTC(), Duration.ofSeconds(5));
        store.put("azureml/j1/ckpt/step", "41\n".getBytes(StandardCharsets.UTF_8));
        store.put("azureml/j1/ckpt/sub/weights.bin", new byte[] {1, 2, 3});
        checkpoints.saved("j1", 1, "ckpt");
        String line = checkpoints.restore(plan(2));
        Path dir = tmp.resolve("jobs/j1/attempt-2/outputs/ckpt");
        assertEquals("41\n", Files.readString(dir.resolve("step")));
        assertEquals(3, Files.size(dir.resolve("sub/weights.bin")));
        assertEquals(
                "checkpoint ckpt: 2 file(s) restored from workspaceblobstore:azureml/j1/ckpt/, saved by attempt 1",
                line);
    }

    @Test
    void nothingSavedYetIsAnEmptyFolderNotAFailure() throws Exception {
        String line = new Checkpoints(stores, Clock.systemUTC(), Duration.ofSeconds(5)).restore(plan(2));
        assertTrue(Files.isDirectory(tmp.resolve("jobs/j1/attempt-2/outputs/ckpt")));
        assertTrue(
                line.endsWith("0 file(s) restored from workspaceblobstore:azureml/j1/ckpt/, no earlier attempt"
                        + " saved one"),
                line);
    }

    @Test
    void anAttemptPlacedWhileThePreviousOneIsStillSavingWaitsForItsUpload() throws Exception {
        Checkpoints checkpoints = new Checkpoints(stores, Clock.systemUTC(), Duration.ofSeconds(20));
        store.put("azureml/j1/ckpt/step", "10\n".getBytes(StandardCharsets.UTF_8));
        checkpoints.saving("j1", 1, "ckpt"); // attempt 1 was told to stop, its upload follows
        Thread uploader = new Thread(() -> {
            try {
                Thread.sleep(700);
                store.put("azureml/j1/ckpt/step", "57\n".getBytes(StandardCharsets.UTF_8));
                checkpoints.saved("j1", 1, "ckpt");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        uploader.start();
        String line = checkpoints.restore(plan(2));
        uploader.join();
        assertEquals(
                "57\n",
                Files.readString(tmp.resolve("jobs/j1/attempt-2/outputs/ckpt/step")),
                "the saved state, not the one before: " + line);
        assertTrue(line.endsWith("saved by attempt 1, after waiting for its upload"), line);
    }

    @Test
    void aSaveThatNeverEndsIsWaitedForOnlyUpToTheLimit() throws Exception {
        Checkpoints checkpoints = new Checkpoints(stores, Clock.systemUTC(), Duration.ofMillis(300));
        store.put("azureml/j1/ckpt/step", "10\n".getBytes(StandardCharsets.UTF_8));
        checkpoints.saving("j1", 1, "ckpt"); // its node died while uploading
        String line = checkpoints.restore(plan(2));
        assertEquals("10\n", Files.readString(tmp.resolve("jobs/j1/attempt-2/outputs/ckpt/step")));
        assertTrue(line.contains("(its upload had not finished after 0 s)"), line);
    }
}
