package dev.ebbtide.devsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EbbtideCliTest {
    @TempDir
    Path tmp;

    @Test
    void followsEveryAutoscalerInstanceTheStackListed() throws Exception {
        Path instances = tmp.resolve("instances");
        Files.writeString(instances, """
                job-submitter-1 http://127.0.0.1:8081 11
                autoscaler-1 http://127.0.0.1:8083 12
                autoscaler-2 http://127.0.0.1:8093 13
                provisioner-1 http://127.0.0.1:8084 14
                """);
        assertEquals(List.of("http://127.0.0.1:8083", "http://127.0.0.1:8093"), EbbtideCli.autoscalerUrls(instances));
    }

    @Test
    void withoutAListTheDefaultPort() throws Exception {
        assertEquals(List.of("http://127.0.0.1:8083"), EbbtideCli.autoscalerUrls(tmp.resolve("missing")));
    }
}
