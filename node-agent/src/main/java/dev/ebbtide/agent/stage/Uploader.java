package dev.ebbtide.agent.stage;

import dev.ebbtide.agent.AgentLog;
import dev.ebbtide.agent.plan.RunPlan;
import dev.ebbtide.common.data.DataUri;
import dev.ebbtide.datastore.Datastore;
import dev.ebbtide.datastore.Datastores;
import dev.ebbtide.datastore.OutputsManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.util.List;
import java.util.Map;

/**
 * Uploads what a node's ranks left (outputs, {@code ./outputs}, {@code ./logs}, the rank logs) and then merges the
 * node's part of the job's {@code outputs.json}. Every upload is a plain put, so doing them again after a restart is
 * harmless. A failure does not stop the others: what can be kept is kept, and the first failure is returned.
 */
public final class Uploader {
    private final Datastores stores;

    /** @param stores the node's datastores, or null: nothing is uploaded */
    public Uploader(Datastores stores) {
        this.stores = stores;
    }

    /** @return null when everything was uploaded, else one sentence naming the first upload that failed */
    public String upload(String jobId, int attempt, List<RunPlan.Upload> uploads, Map<String, String> manifest) {
        String job = "job " + jobId + " attempt " + attempt;
        if (stores == null) {
            AgentLog.info(job + ": no datastore configured on this node, ./outputs and the logs stay on it");
            return null;
        }
        String first = null;
        int files = 0;
        long bytes = 0;
        for (RunPlan.Upload u : uploads) {
            String target = new DataUri.Datastore(u.datastore(), u.path()).toString();
            try {
                if (!Files.exists(u.source(), LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                Datastore store = stores.get(u.datastore());
                if (u.folder()) {
                    Datastore.TreeCopy c = store.uploadTree(u.source(), u.path());
                    files += c.files();
                    bytes += c.bytes();
                } else {
                    store.upload(u.source(), u.path());
                    files++;
                    bytes += Files.size(u.source());
                }
            } catch (IOException | RuntimeException e) {
                String sentence = u.what() + " could not be uploaded to " + target + ": " + e.getMessage();
                AgentLog.warn(job + ": " + sentence);
                first = first == null ? sentence : first;
            }
        }
        try {
            new OutputsManifest(
                            jobId,
                            manifest,
                            new DataUri.Datastore(DataUri.DEFAULT_DATASTORE, OutputsManifest.artifactsPath(jobId))
                                    .toString())
                    .merge(stores.defaultStore());
        } catch (IOException | RuntimeException e) {
            String sentence =
                    "the outputs manifest " + OutputsManifest.path(jobId) + " could not be written: " + e.getMessage();
            AgentLog.warn(job + ": " + sentence);
            first = first == null ? sentence : first;
        }
        AgentLog.info(job + ": uploaded " + files + " file(s), " + bytes + " bytes"
                + (first == null ? "" : ", with failures"));
        return first;
    }
}
