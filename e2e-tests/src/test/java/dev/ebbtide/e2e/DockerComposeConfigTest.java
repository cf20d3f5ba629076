package dev.ebbtide.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Docker Compose's own check of docker-compose.yml ({@code docker compose config --quiet}, which needs no engine),
 * where Compose v2 is installed. Skipped elsewhere: Debian 12's {@code docker-compose} 1.29 predates the Compose
 * Specification keys the file uses ({@code name}, {@code bind.create_host_path}) and would refuse a valid file.
 */
class DockerComposeConfigTest {

    @Test
    void composeV2AcceptsTheFile() throws Exception {
        assumeTrue(run(List.of("docker", "compose", "version")).code() == 0,
                "Docker Compose v2 (`docker compose`) is not installed: ComposeConsistencyTest and "
                        + "ComposeKafkaClusterTest check the file without it");
        Result r = run(List.of("docker", "compose", "-f", RepoConfig.composeFile().toString(), "config", "--quiet"));
        assertEquals(0, r.code(), () -> "docker compose config refuses " + ComposeFile.PATH + ":\n" + r.output());
    }

    record Result(int code, String output) {
    }

    private static Result run(List<String> command) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(command).directory(RepoConfig.root().toFile()).redirectErrorStream(true).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out");
            }
            return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) { // no such program
            return new Result(-1, e.getMessage());
        }
    }
}
