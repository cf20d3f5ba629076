package dev.ebbtide.devsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The harness's clusters, written as Azure ML cluster YAML files for the autoscaler to load and publish. */
final class BenchClusters {
    static final String IDLE = "tp-idle";
    static final String DISPATCH = "tp-dispatch";

    private BenchClusters() {}

    static String ingest(int i) {
        return String.format("tp-i-%04d", i);
    }

    static String active(int i) {
        return String.format("tp-r-%04d", i);
    }

    static Path write(Path dir, int ingest, int active, int dispatchNodes) throws IOException {
        Files.createDirectories(dir);
        for (int i = 0; i < ingest; i++) {
            yaml(dir, ingest(i), 4);
        }
        for (int i = 0; i < active; i++) {
            yaml(dir, active(i), 4);
        }
        yaml(dir, IDLE, 4);
        yaml(dir, DISPATCH, dispatchNodes);
        return dir;
    }

    private static void yaml(Path dir, String name, int max) throws IOException {
        Files.writeString(
                dir.resolve(name + ".yml"),
                "name: " + name + "\ntype: amlcompute\nsize: Standard_DS3_v2\n"
                        + "tier: dedicated\nmin_instances: 0\nmax_instances: " + max
                        + "\nidle_time_before_scale_down: 3600\n");
    }
}
