package dev.ebbtide.datastore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputsManifestTest {
    @TempDir
    Path tmp;

    @Test
    void nodesMergeTheirOutputsIntoOneManifestAtItsFixedPath() throws IOException {
        LocalDatastore store = new LocalDatastore("workspaceblobstore", tmp);
        assertTrue(OutputsManifest.read(store, "job-1").isEmpty());
        String artifacts = OutputsManifest.defaultArtifacts("job-1");
        assertEquals("azureml://datastores/workspaceblobstore/paths/azureml/job-1/artifacts/", artifacts);
        new OutputsManifest(
                        "job-1", Map.of("x", "azureml://datastores/workspaceblobstore/paths/azureml/job-1/x/"), null)
                .merge(store);
        new OutputsManifest("job-1", Map.of("y", "azureml://datastores/other/paths/models/"), artifacts).merge(store);
        OutputsManifest read = OutputsManifest.read(store, "job-1").orElseThrow();
        assertEquals(
                List.of("x", "y"), read.outputs().keySet().stream().sorted().toList());
        assertEquals(artifacts, read.artifacts());
        assertTrue(store.exists("azureml/job-1/outputs.json"));
    }
}
