package dev.ebbtide.provisioner.cloud.azure;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Pure: the scale set's custom data ({@code #cloud-config}) that makes a VM a node. At first boot cloud-init installs
 * a JRE, bubblewrap (each rank runs sandboxed, as nobody) and docker ({@code runtime=docker}: a job with an image
 * environment runs in its container; NVIDIA's container toolkit too when the image has an NVIDIA driver), downloads the node agent package (a tarball of {@code node-agent-*.jar} and {@code lib/}, checked against
 * its SHA-256), writes {@code /etc/ebbtide/agent.properties} (mode 0600: it may hold Kafka credentials) and starts
 * the {@code ebbtide-agent} systemd unit with {@code node=imds} and {@code cluster=imds}. See docs/azure.md, section 3.
 */
public final class NodeAgentCloudInit {
    public static final String AGENT_DIR = "/opt/ebbtide/node-agent";
    public static final String PROPERTIES = "/etc/ebbtide/agent.properties";
    public static final String WORK_DIR = "/var/lib/ebbtide-agent";
    /**
     * Where a VM keeps what must not reach a job (besides the agent's work dir, hidden anyway): the agent's settings
     * with its Kafka credentials, and the custom data (this document, the same credentials) as the Azure agent and
     * cloud-init store it.
     */
    public static final String SANDBOX_HIDE = "/etc/ebbtide,/var/lib/waagent,/var/lib/cloud";
    /** Images imported on the node by hand ({@code ./ebbtide image import}); others are pulled by docker. */
    public static final String IMAGES_DIR = "/var/lib/ebbtide-images";

    /**
     * Installs NVIDIA's container toolkit and makes it docker's GPU runtime, only on a VM whose image has an NVIDIA
     * driver ({@code nvidia-smi -L} lists a GPU): CPU sizes and driverless images skip it, saying so in the boot log.
     */
    static final String GPU_SETUP = "if nvidia-smi -L 2>/dev/null | grep -q \"^GPU \"; then apt-get install -y"
            + " nvidia-container-toolkit && nvidia-ctk runtime configure --runtime=docker && systemctl restart docker;"
            + " else echo \"ebbtide: no NVIDIA driver on this VM, GPU containers not set up\"; fi";

    private static final Pattern URL = Pattern.compile("https?://[A-Za-z0-9._~:/?#\\[\\]@!$&()*+,;=%-]+");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Pattern ACCOUNT = Pattern.compile("[a-z0-9]{3,24}");
    private static final Pattern CONTAINER = Pattern.compile("[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}");

    /**
     * What the node needs to know.
     *
     * @param packageUrl       where the VM downloads the agent package (https, reachable from the nodes' subnet)
     * @param packageSha256    the package's SHA-256 (hex); the download is refused when it differs
     * @param bootstrapServers the Kafka bootstrap servers as the nodes reach them
     * @param kafka            Kafka client settings for the agent, without the {@code kafka.} prefix
     *                         ({@code security.protocol}, {@code sasl.mechanism}, {@code sasl.jaas.config}, …)
     * @param scaleSetPrefix   removed from the scale set name to get the cluster name
     * @param datastore        the nodes' default datastore (Azure Blob through the VM's managed identity), or null:
     *                         then jobs with code, data inputs or outputs are refused on the nodes
     */
    public record Settings(
            String packageUrl,
            String packageSha256,
            String bootstrapServers,
            Map<String, String> kafka,
            String scaleSetPrefix,
            Datastore datastore) {
        public Settings(
                String packageUrl,
                String packageSha256,
                String bootstrapServers,
                Map<String, String> kafka,
                String scaleSetPrefix) {
            this(packageUrl, packageSha256, bootstrapServers, kafka, scaleSetPrefix, null);
        }

        public Settings {
            Objects.requireNonNull(packageUrl, "ebbtide.azure.agent.package-url is required");
            Objects.requireNonNull(packageSha256, "ebbtide.azure.agent.package-sha256 is required");
            Objects.requireNonNull(bootstrapServers, "ebbtide.azure.agent.bootstrap-servers is required");
            kafka = kafka == null ? Map.of() : Map.copyOf(kafka);
            scaleSetPrefix = scaleSetPrefix == null ? AzureSettings.DEFAULT_PREFIX : scaleSetPrefix;
        }

        /** Never the Kafka values (credentials). */
        @Override
        public String toString() {
            return "Settings[packageUrl=" + packageUrl + ", bootstrapServers=" + bootstrapServers + ", kafka keys="
                    + new TreeMap<>(kafka).keySet() + "]";
        }
    }

    /**
     * The default datastore {@code workspaceblobstore} of the nodes: a Blob container read and written with the VM's
     * managed identity ({@code datastore-credential=identity}), so no key or SAS token is in the custom data.
     *
     * @param endpoint the blob service URL, or null for {@code https://<account>.blob.core.windows.net}
     */
    public record Datastore(String account, String container, String endpoint) {
        public Datastore {
            Objects.requireNonNull(account, "ebbtide.azure.agent.datastore-account is required");
            Objects.requireNonNull(
                    container, "ebbtide.azure.agent.datastore-container is required with datastore-account");
        }
    }

    private NodeAgentCloudInit() {}

    /** The {@code #cloud-config} document; an unusable setting is an {@link IllegalArgumentException} naming it. */
    public static String render(Settings s) {
        if (!URL.matcher(s.packageUrl()).matches()) {
            throw new IllegalArgumentException(
                    "ebbtide.azure.agent.package-url must be an http(s) URL without spaces or quotes");
        }
        String sha = s.packageSha256().toLowerCase();
        if (!SHA256.matcher(sha).matches()) {
            throw new IllegalArgumentException("ebbtide.azure.agent.package-sha256 must be 64 hexadecimal digits");
        }
        StringBuilder props = new StringBuilder();
        property(props, "cluster", "imds");
        property(props, "node", "imds");
        property(props, "imds-scale-set-prefix", s.scaleSetPrefix());
        property(props, "bootstrap.servers", s.bootstrapServers());
        property(props, "work-dir", WORK_DIR);
        property(props, "sandbox", "bwrap");
        property(props, "sandbox-hide", SANDBOX_HIDE);
        property(props, "runtime", "docker");
        property(props, "images-dir", IMAGES_DIR);
        if (s.datastore() != null) {
            Datastore d = s.datastore();
            if (!ACCOUNT.matcher(d.account()).matches()) {
                throw new IllegalArgumentException(
                        "ebbtide.azure.agent.datastore-account must be a storage account name (3-24 lowercase letters"
                                + " and digits)");
            }
            if (!CONTAINER.matcher(d.container()).matches()) {
                throw new IllegalArgumentException("ebbtide.azure.agent.datastore-container must be a blob container"
                        + " name (3-63 lowercase letters, digits and hyphens)");
            }
            property(props, "datastore-account", d.account());
            property(props, "datastore-container", d.container());
            if (d.endpoint() != null) {
                if (!URL.matcher(d.endpoint()).matches()) {
                    throw new IllegalArgumentException(
                            "ebbtide.azure.agent.datastore-endpoint must be an http(s) URL without spaces or quotes");
                }
                property(props, "datastore-endpoint", d.endpoint());
            }
            property(props, "datastore-credential", "identity");
        }
        new TreeMap<>(s.kafka()).forEach((k, v) -> {
            if (!KEY.matcher(k).matches()) {
                throw new IllegalArgumentException(
                        "ebbtide.azure.agent.kafka key '" + k + "' is not a Kafka setting name");
            }
            property(props, "kafka." + k, v);
        });
        return """
                #cloud-config
                # Ebbtide node: a JRE, bubblewrap, docker, the node agent and its systemd unit (rendered by NodeAgentCloudInit).
                package_update: true
                packages:
                  - openjdk-17-jre-headless
                  - curl
                  - bubblewrap
                  - docker.io
                write_files:
                  - path: %s
                    owner: root:root
                    permissions: '0600'
                    content: |
                %s  - path: /etc/systemd/system/ebbtide-agent.service
                    owner: root:root
                    permissions: '0644'
                    content: |
                      [Unit]
                      Description=Ebbtide node agent
                      Wants=network-online.target docker.service
                      After=network-online.target docker.service
                      [Service]
                      ExecStart=/usr/bin/java -Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp %s/*:%s/lib/* dev.ebbtide.agent.NodeAgentMain --config=%s
                      Restart=always
                      RestartSec=5
                      # only the agent gets SIGTERM: it stops its ranks itself; after a crash they run on and are adopted
                      KillMode=process
                      TimeoutStopSec=90
                      [Install]
                      WantedBy=multi-user.target
                runcmd:
                  - [systemctl, enable, --now, docker.service]
                  - [sh, -c, '%s']
                  - [mkdir, -p, %s, %s, %s]
                  - [curl, -fsSL, --retry, '5', -o, /opt/ebbtide/node-agent.tar.gz, '%s']
                  - [sh, -c, 'echo "%s  /opt/ebbtide/node-agent.tar.gz" | sha256sum -c - && tar -xzf /opt/ebbtide/node-agent.tar.gz -C %s']
                  - [systemctl, daemon-reload]
                  - [systemctl, enable, --now, ebbtide-agent.service]
                """.formatted(
                        PROPERTIES,
                        props,
                        AGENT_DIR,
                        AGENT_DIR,
                        PROPERTIES,
                        GPU_SETUP.replace("'", "''"),
                        AGENT_DIR,
                        WORK_DIR,
                        IMAGES_DIR,
                        s.packageUrl().replace("'", "''"),
                        sha,
                        AGENT_DIR);
    }

    /** One {@code key=value} line of a Java properties file, indented for the YAML literal block. */
    private static void property(StringBuilder out, String key, String value) {
        if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("the value of agent setting " + key + " must be one line");
        }
        String escaped = value.replace("\\", "\\\\");
        if (escaped.startsWith(" ")) {
            escaped = "\\" + escaped;
        }
        out.append("      ").append(key).append('=').append(escaped).append('\n');
    }
}
