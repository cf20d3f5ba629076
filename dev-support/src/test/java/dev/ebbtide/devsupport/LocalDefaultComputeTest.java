package dev.ebbtide.devsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** ./ebbtide up makes cpu-cluster the default compute, so examples without a compute: line run with no edit. */
class LocalDefaultComputeTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "the repository's clusters folder | cpu-cluster.yml | | cpu-cluster",
                "the user chose one | cpu-cluster.yml | gpu-cluster | ",
                "a blank choice is no choice | cpu-cluster.yml | '  ' | cpu-cluster",
                "no cpu-cluster defined | gpu-cluster.yml | | ",
            })
    void setsTheDefaultOnTheSubmitterAndSchedulerOnly(
            String row, String clusterFile, String env, String expected, @TempDir Path clusters) throws Exception {
        Files.writeString(clusters.resolve(clusterFile), "name: x\n");
        Map<String, String> environment = env == null ? Map.of() : Map.of("EBBTIDE_DEFAULT_COMPUTE", env);
        Map<String, String> props = LocalStack.localDefaultCompute(clusters, environment);
        assertEquals(
                expected == null
                        ? Map.of()
                        : Map.of(
                                "job-submitter:ebbtide.default-compute",
                                expected,
                                "scheduler:ebbtide.default-compute",
                                expected),
                props);
    }

    @org.junit.jupiter.api.Test
    void theRepositoryDefinesTheDefaultCluster() {
        assertEquals(
                true,
                Files.exists(Path.of("../clusters").resolve(LocalStack.LOCAL_DEFAULT_COMPUTE + ".yml")),
                "clusters/" + LocalStack.LOCAL_DEFAULT_COMPUTE + ".yml is what ./ebbtide up loads");
    }
}
