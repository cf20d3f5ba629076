package dev.ebbtide.agent;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.concurrent.TimeUnit;

/** What the node has: cores, memory, GPUs and an address, detected unless configured. */
public record HostFacts(String address, int cores, long memoryMb, int gpus) {

    public static HostFacts detect(AgentConfig config) {
        return new HostFacts(
                config.address() != null ? config.address() : detectAddress(),
                config.cores() != null ? config.cores() : Runtime.getRuntime().availableProcessors(),
                config.memoryMb() != null ? config.memoryMb() : readMemoryMb(Path.of("/proc/meminfo")),
                config.gpus() != null ? config.gpus() : detectGpus());
    }

    /** {@code MemTotal} of a /proc/meminfo file in MiB, 0 when unknown. */
    static long readMemoryMb(Path meminfo) {
        try {
            for (String line : Files.readAllLines(meminfo)) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown
        }
        return 0;
    }

    /** Lines of {@code nvidia-smi -L}; 0 when it is not installed or fails. */
    static int detectGpus() {
        try {
            Process p = new ProcessBuilder("nvidia-smi", "-L")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return 0;
            }
            return (int) out.lines().filter(l -> l.startsWith("GPU ")).count();
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** The first up, non-loopback IPv4 address; else the host name; else 127.0.0.1. */
    static String detectAddress() {
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                        return a.getHostAddress();
                    }
                }
            }
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "127.0.0.1";
        }
    }
}
