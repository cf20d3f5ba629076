package dev.ebbtide.datastore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputsManifestTest {
    @TempDir
    Path tmp;

    @Test
    void writesReadsAndMergesTheManifestAtItsFixedPath() throws IOException {
        LocalDatastore store = new LocalDatastore("workspaceblobstore", tmp);
        assertTrue(OutputsManifest.read(store, "job-1").isEmpty());
        String artifacts = OutputsManifest.defaultArtifacts("job-1");
        assertEquals("azureml://datastores/workspaceblobstore/paths/azureml/job-1/artifacts/", artifacts);
        new OutputsManifest(
                        "job-1", Map.of("x", "azureml://datastores/workspaceblobstore/paths/azureml/job-1/x/"), null)
                .writeMerged(store);
        OutputsManifest merged = new OutputsManifest(
                        "job-1", Map.of("y", "azureml://datastores/other/paths/models/"), artifacts)
                .writeMerged(store);
        assertEquals(
                java.util.List.of("x", "y"),
                java.util.List.copyOf(merged.outputs().keySet()));
        assertEquals(merged, OutputsManifest.read(store, "job-1").orElseThrow());
        String json = new String(store.read("azureml/job-1/outputs.json"), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"jobId\" : \"job-1\"") && json.contains("\"artifacts\""), json);
    }

    @Test
    void aBrokenManifestOrAnotherJobsIsRefusedWithASentence() throws IOException {
        LocalDatastore store = new LocalDatastore("workspaceblobstore", tmp);
        store.put("azureml/job-2/outputs.json", "{not json".getBytes(StandardCharsets.UTF_8));
        IOException e = assertThrows(IOException.class, () -> OutputsManifest.read(store, "job-2"));
        assertEquals("the outputs manifest is not valid JSON of the expected form", e.getMessage());
        OutputsManifest a = new OutputsManifest("a", Map.of(), null);
        assertThrows(IllegalArgumentException.class, () -> a.merge(new OutputsManifest("b", Map.of(), null)));
        assertThrows(IllegalArgumentException.class, () -> OutputsManifest.blobPath("../x"));
    }
}
