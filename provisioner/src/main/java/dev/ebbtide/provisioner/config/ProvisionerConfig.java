package dev.ebbtide.provisioner.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** The provisioner's settings ({@code ebbtide.*}); see docs/configuration.md and docs/azure.md. */
@ConfigMapping(prefix = "ebbtide")
public interface ProvisionerConfig {
    /** {@code local} (default) or {@code azure-vmss}. */
    @WithDefault("local")
    String provider();

    /** How often node states are compared with the cloud's (Azure: at least the azure poll interval). */
    @WithDefault("250ms")
    Duration nodePollInterval();

    /** A node whose agent sent no status for this long is lost: published {@code lost}, then deleted. */
    @WithDefault("60s")
    Duration nodeLostAfter();

    Local local();

    Provisioner provisioner();

    Azure azure();

    Quota quota();

    /** {@code ebbtide.quota.*}: cores per VM family as Azure accounts them (docs/compute.md). */
    interface Quota {
        /** The region the local provider's clusters are in when their YAML names no {@code location}. */
        @WithDefault("local")
        String region();

        /**
         * Local provider: dedicated cores per VM family, e.g. {@code ebbtide.quota.family-cores.standardNCSv3Family=24}.
         * A family not listed has no limit, unless its series needs approval: then it has no approved cores.
         * ({@code azure-vmss} reads them from Azure.)
         */
        Map<String, Integer> familyCores();

        /** Local provider: low-priority cores in total (all families); unset = no limit. */
        Optional<Integer> lowPriorityCores();

        /** Local provider: dedicated cores in total (all families); unset = no limit. */
        Optional<Integer> totalCores();

        /** How often waiting clusters are checked again (Azure: quotas re-read), and when the autoscaler asks again. */
        @WithDefault("30s")
        Duration recheckInterval();
    }

    interface Local {
        /** The local "cloud": each node's directory is {@code <work-dir>/nodes/<node>/} (record, agent, jobs, logs). */
        @WithDefault(".ebbtide/work")
        Path workDir();

        /** The node agent's class path (its jar and {@code lib/*}), relative to the working directory or absolute. */
        @WithDefault("node-agent/target/node-agent-0.1.0-SNAPSHOT.jar:node-agent/target/lib/*")
        String agentClasspath();

        /** How often local node agents send a heartbeat. */
        @WithDefault("10s")
        Duration agentHeartbeatInterval();

        /**
         * A properties file (mode 0600) with the local agents' Kafka client settings ({@code kafka.security.protocol},
         * {@code kafka.sasl.*}, …), passed to each agent as {@code --config=FILE}; unset = a plaintext broker.
         * {@code ./ebbtide up} writes {@code .ebbtide/secrets/node-agent.properties} and sets it.
         */
        Optional<Path> agentKafkaConfig();

        /**
         * Host paths each local agent hides from its jobs' sandbox ({@code --sandbox-hide}, comma-separated), besides
         * the node's own directory; {@code ./ebbtide up} sets the stack's state root {@code .ebbtide}.
         */
        Optional<String> agentSandboxHide();

        /**
         * The stack's state root given to each local agent for a job's data and environment: the default datastore
         * {@code <dir>/datastores/workspaceblobstore}, named datastores {@code <dir>/datastores/defs}, imported images
         * {@code <dir>/images}; unset = agents without a datastore (jobs with code, data inputs or outputs are refused
         * with a sentence). {@code ./ebbtide up} sets {@code .ebbtide}.
         */
        Optional<Path> agentDataDir();

        /**
         * Local capacity per VM size, e.g. {@code ebbtide.local.capacity.Standard_NC6s_v3=3}: nodes of that size beyond
         * N on this machine fail with the cloud's capacity error ({@code capacity_unavailable}), as Azure's
         * {@code AllocationFailed} would. A size not listed has no limit.
         */
        Map<String, Integer> capacity();

        /** The environment mapping file each local agent reads; {@code ./ebbtide up} sets {@code environments/local.yml}. */
        Optional<Path> agentEnvironments();
    }

    interface Provisioner {
        /** A node not ready by then is unusable, deleted and replaced (Cluster Autoscaler's name). */
        @WithDefault("15m")
        Duration maxNodeProvisionTime();

        /** How long an instance Ebbtide does not know may exist before it is handled. */
        @WithDefault("10m")
        Duration orphanGracePeriod();

        /**
         * What to do with an instance Ebbtide does not know once the grace period is over: {@code adopt} (default: a
         * restarted provisioner keeps its nodes, idle ones then scale down as usual) or {@code delete}.
         */
        @WithDefault("adopt")
        String orphanAction();

        /** First scale-up backoff after a cloud failure; doubles per failure. */
        @WithDefault("30s")
        Duration backoffInitial();

        /** Longest scale-up backoff. */
        @WithDefault("30m")
        Duration backoffMax();

        /** Attempts per cloud step for throttled, transient and preempted errors. */
        @WithDefault("3")
        int retryMaxAttempts();

        /** A Retry-After longer than this becomes a cluster backoff instead of a blocked thread. */
        @WithDefault("60s")
        Duration maxInlineWait();

        /**
         * How long the new nodes of a gang unit (a queued multi-node job) may take until every agent has announced;
         * then the nodes that came up are given back and the cluster backs off. A cluster's YAML
         * {@code max_gang_provision_time} wins. Unset: 10 minutes.
         */
        Optional<Duration> maxGangProvisionTime();

        /** How often believed nodes are reconciled with the cloud. */
        @WithDefault("30s")
        Duration reconcileInterval();
    }

    /** Azure VM scale sets ({@code ebbtide.provider=azure-vmss}); credentials come from DefaultAzureCredential. */
    interface Azure {
        Optional<String> subscriptionId();

        Optional<String> tenantId();

        Optional<String> resourceGroup();

        Optional<String> region();

        @WithDefault("ebbtide-")
        String scaleSetPrefix();

        @WithDefault("Canonical:ubuntu-24_04-lts:server:latest")
        String image();

        Optional<String> subnetId();

        @WithDefault("ebbtide")
        String adminUsername();

        Optional<String> sshPublicKey();

        /** A file whose content is the scale set's custom data (starts the node agent); never logged. */
        Optional<Path> customDataFile();

        Optional<String> nodeIdentityId();

        @WithDefault("Standard_LRS")
        String osDiskType();

        Optional<URI> endpoint();

        @WithDefault("10s")
        Duration pollInterval();

        /**
         * Writes the subscription may send at once (ARM's write bucket); every write waits its turn in it, and Azure's
         * {@code x-ms-ratelimit-remaining-subscription-writes} lowers it (docs/operations.md).
         */
        @WithDefault("200")
        int writeBudget();

        /** Writes added to the budget per second (ARM's refill rate). */
        @WithDefault("10")
        double writeRefillPerSecond();

        /** The node agent the generated custom data installs when {@code custom-data-file} is not set (docs/azure.md). */
        Agent agent();
    }

    /** {@code ebbtide.azure.agent.*}: rendered into cloud-init by {@code NodeAgentCloudInit}. */
    interface Agent {
        /** https URL of the agent package (tarball of node-agent-*.jar and lib/) the nodes download. */
        Optional<String> packageUrl();

        /** Its SHA-256 (hex); required with package-url. */
        Optional<String> packageSha256();

        /** Kafka bootstrap servers as the nodes reach them; required with package-url. */
        Optional<String> bootstrapServers();

        /** Kafka client settings for the agents, e.g. {@code ebbtide.azure.agent.kafka."sasl.mechanism"=PLAIN}. */
        Map<String, String> kafka();

        /**
         * Storage account of the nodes' default datastore {@code workspaceblobstore}, read and written with the VM's
         * managed identity; none = nodes refuse jobs with code, data inputs or outputs.
         */
        Optional<String> datastoreAccount();

        /** Its blob container; required with datastore-account. */
        Optional<String> datastoreContainer();

        /** Its blob service URL; none = {@code https://<account>.blob.core.windows.net}. */
        Optional<String> datastoreEndpoint();
    }
}
