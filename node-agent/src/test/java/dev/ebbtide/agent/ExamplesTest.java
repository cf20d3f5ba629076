package dev.ebbtide.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** examples/distributed.yml carries examples/rendezvous.py verbatim (code: is not supported, so it is embedded). */
class ExamplesTest {
    static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();

    @Test
    void theDistributedJobEmbedsTheRendezvousScriptUnchanged() throws Exception {
        JsonNode job = new ObjectMapper(new YAMLFactory())
                .readTree(EXAMPLES.resolve("distributed.yml").toFile());
        String command = job.path("command").asText();
        String first = "python3 - <<'EBBTIDE_SCRIPT'\n";
        String last = "EBBTIDE_SCRIPT\n";
        assertTrue(command.startsWith(first) && command.endsWith(last), command);
        String embedded = command.substring(first.length(), command.length() - last.length());
        assertEquals(Files.readString(EXAMPLES.resolve("rendezvous.py")), embedded);
        assertEquals("pytorch", job.path("distribution").path("type").asText());
        assertEquals(
                1, job.path("distribution").path("process_count_per_instance").asInt());
        assertEquals(2, job.path("resources").path("instance_count").asInt());
        assertEquals("azureml:cpu-cluster", job.path("compute").asText());
    }
}
