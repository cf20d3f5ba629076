package dev.ebbtide.agent.env;

import java.nio.file.Path;
import java.util.List;

/**
 * An image imported on this node: its unpacked root filesystem and what its config says about the process
 * environment.
 *
 * @param name       the normalized reference ({@link ImageName#normalize})
 * @param rootfs     the unpacked root filesystem
 * @param env        the image config's {@code Env} ({@code NAME=value}), in order
 * @param workingDir the image config's {@code WorkingDir}, or null
 * @param layers     layers applied
 */
public record ImportedImage(String name, Path rootfs, List<String> env, String workingDir, int layers) {
    public ImportedImage {
        env = env == null ? List.of() : List.copyOf(env);
    }
}
