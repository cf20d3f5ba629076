package dev.ebbtide.provisioner.config;

import dev.ebbtide.common.compute.VmCatalogue;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.messaging.ownership.InstanceName;
import dev.ebbtide.messaging.ownership.Ownership;
import dev.ebbtide.messaging.ownership.OwnershipListener;
import dev.ebbtide.provisioner.actuation.CloudCaller;
import dev.ebbtide.provisioner.actuation.ClusterBackoff;
import dev.ebbtide.provisioner.actuation.DurableState;
import dev.ebbtide.provisioner.actuation.Provisioner;
import dev.ebbtide.provisioner.actuation.ProvisionerEvents;
import dev.ebbtide.provisioner.actuation.ProvisionerMetrics;
import dev.ebbtide.provisioner.actuation.ProvisionerOwnership;
import dev.ebbtide.provisioner.actuation.Reconciler;
import dev.ebbtide.provisioner.actuation.RetryPolicy;
import dev.ebbtide.provisioner.actuation.ScaleRequestHandler;
import dev.ebbtide.provisioner.actuation.ScaleRequestLedger;
import dev.ebbtide.provisioner.actuation.Sleeper;
import dev.ebbtide.provisioner.cloud.CloudProvider;
import dev.ebbtide.provisioner.cloud.azure.ArmWriteLimiter;
import dev.ebbtide.provisioner.cloud.azure.AzureInstanceNodes;
import dev.ebbtide.provisioner.cloud.azure.AzureQuota;
import dev.ebbtide.provisioner.cloud.azure.AzureSettings;
import dev.ebbtide.provisioner.cloud.azure.AzureVmssProvider;
import dev.ebbtide.provisioner.cloud.azure.NodeAgentCloudInit;
import dev.ebbtide.provisioner.cloud.local.LocalCloudProvider;
import dev.ebbtide.provisioner.cloud.local.LocalNodes;
import dev.ebbtide.provisioner.instances.InstanceNodes;
import dev.ebbtide.provisioner.instances.Instances;
import dev.ebbtide.provisioner.messaging.ProvisionerPublisher;
import dev.ebbtide.provisioner.messaging.ProvisionerStateTopic;
import dev.ebbtide.provisioner.nodes.NodeBook;
import dev.ebbtide.provisioner.quota.LocalQuota;
import dev.ebbtide.provisioner.quota.QuotaSource;
import dev.ebbtide.provisioner.quota.Quotas;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Wires the provider chosen by {@code ebbtide.provider} and the actuation layer into the provisioner. */
public class ProvisionerBeans {

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @Singleton
    CloudProvider provider(
            ProvisionerConfig config,
            Clock clock,
            MeterRegistry registry,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        return switch (config.provider()) {
            case LocalCloudProvider.NAME ->
                new LocalCloudProvider(
                        new LocalNodes(
                                config.local().workDir().resolve("nodes"),
                                LocalCloudProvider.agentCommand(
                                        config.local().agentClasspath(),
                                        bootstrapServers,
                                        config.local().agentHeartbeatInterval(),
                                        config.local().agentKafkaConfig().orElse(null),
                                        config.local().agentSandboxHide().orElse(null),
                                        config.local().agentDataDir().orElse(null),
                                        config.local().agentEnvironments().orElse(null)),
                                LocalCloudProvider.AGENT_STOP_GRACE,
                                clock),
                        config.local().capacity());
            case AzureVmssProvider.NAME -> {
                AzureSettings settings = azureSettings(config.azure());
                yield AzureVmssProvider.withDefaultCredential(
                        settings,
                        new ArmWriteLimiter(
                                settings.subscriptionId(),
                                config.azure().writeBudget(),
                                config.azure().writeRefillPerSecond(),
                                clock,
                                ArmWriteLimiter.Pause.SYSTEM,
                                registry));
            }
            default ->
                throw new IllegalArgumentException(
                        "unknown ebbtide.provider '" + config.provider() + "'; use local or azure-vmss");
        };
    }

    /** The quota book: configured limits (local) or Azure's Usage - List (azure-vmss); docs/compute.md. */
    @Produces
    @Singleton
    Quotas quotas(
            ProvisionerConfig config,
            CloudProvider provider,
            ProvisionerPublisher events,
            MeterRegistry registry,
            Clock clock) {
        ProvisionerConfig.Quota q = config.quota();
        QuotaSource source = provider instanceof AzureVmssProvider azure
                ? new AzureQuota(azure.computeManager())
                : new LocalQuota(
                        q.familyCores(),
                        q.lowPriorityCores().orElse(null),
                        q.totalCores().orElse(null));
        String region =
                provider instanceof AzureVmssProvider ? config.azure().region().orElse(q.region()) : q.region();
        return new Quotas(source, VmCatalogue.standard(), region, clock, q.recheckInterval(), events, registry);
    }

    /** Which clusters this instance acts for: the partitions of provisioner-in its consumer group assigned to it. */
    @Produces
    @Singleton
    Ownership ownership() {
        return new Ownership(InstanceName.current("provisioner"), Topics.DEFAULT_PARTITIONS);
    }

    /** Named by mp.messaging.incoming.provisioner-in.consumer-rebalance-listener.name. */
    @Produces
    @Singleton
    @Identifier("provisioner-ownership")
    KafkaConsumerRebalanceListener ownershipListener(Ownership ownership) {
        return new OwnershipListener(
                "provisioner-in", ownership, List.of(Topics.SCALE_REQUESTS, Topics.JOBS_ASSIGNMENTS));
    }

    /** The durable records of the clusters, on the compacted topic ebbtide.provisioner.state. */
    @Produces
    @Singleton
    ProvisionerStateTopic clusterMemory(
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, Ownership ownership) {
        return new ProvisionerStateTopic(kafkaConfig, ownership.instance());
    }

    void close(@Disposes ProvisionerStateTopic memory) {
        memory.close();
    }

    @Produces
    @Singleton
    Provisioner provisioner(
            ProvisionerConfig config,
            CloudProvider provider,
            ProvisionerPublisher events,
            MeterRegistry registry,
            Clock clock,
            Quotas quotas,
            Instances instances,
            Ownership ownership,
            ProvisionerStateTopic memory) {
        ProvisionerConfig.Provisioner p = config.provisioner();
        ClusterBackoff backoff = new ClusterBackoff(clock, p.backoffInitial(), p.backoffMax());
        RetryPolicy retry = new RetryPolicy(
                p.retryMaxAttempts(), p.maxInlineWait(), RetryPolicy.DEFAULT_TRANSIENT_BASE, new SecureRandom());
        CloudCaller caller = new CloudCaller(retry, Sleeper.SYSTEM, new ProvisionerMetrics(registry), events);
        ScaleRequestLedger ledger =
                new ScaleRequestLedger.PerCluster(ScaleRequestLedger.PerCluster.DEFAULT_PER_CLUSTER);
        ScaleRequestHandler handler = new ScaleRequestHandler(backoff, caller, ledger, events, quotas);
        Reconciler reconciler = new Reconciler(
                clock,
                new Reconciler.Settings(
                        p.maxNodeProvisionTime(), p.orphanGracePeriod(), orphanAction(p.orphanAction())),
                backoff,
                caller,
                events);
        Duration minPoll = provider instanceof LocalCloudProvider
                ? Duration.ZERO
                : config.azure().pollInterval();
        Provisioner provisioner = new Provisioner(
                provider,
                events,
                handler,
                reconciler,
                caller,
                new NodeBook(config.nodeLostAfter()),
                minPoll,
                registry,
                clock);
        config.provisioner().maxGangProvisionTime().ifPresent(provisioner::defaultGangTime);
        provisioner.choiceQuota(quotas::fits);
        quotas.attach(provisioner.usageView());
        provisioner.onHandOver(quotas::forget);
        provisioner.instances(instances);
        provisioner.durable(new DurableState(ownership, memory, ledger, backoff, clock));
        ownership.addListener(new ProvisionerOwnership(provisioner, memory));
        // a stopped instance's job goes back to the queue (its node is lost first), it is not ended by the shutdown
        instances.beforeNodeStops(node -> provisioner.nodeStopping(node, "its compute instance is being stopped"));
        return provisioner;
    }

    /** Compute instances: each one node on this machine, or a one-VM scale set on azure-vmss. */
    @Produces
    @Singleton
    Instances instances(CloudProvider provider, Clock clock, ProvisionerPublisher events) {
        Instances instances = new Instances(
                provider instanceof LocalCloudProvider local
                        ? InstanceNodes.local(local.machine())
                        : provider instanceof AzureVmssProvider azure
                                ? new AzureInstanceNodes(azure)
                                : InstanceNodes.unsupported(provider.name()),
                clock);
        instances.listener((name, instance) -> {
            switch (instance.state()) {
                case Running -> events.instanceAvailable(name);
                case Stopping, Stopped, Failed, Deleting ->
                    events.instanceUnavailable(name, instance.state().name(), instance.reason());
                default -> {}
            }
        });
        return instances;
    }

    static ProvisionerEvents.OrphanAction orphanAction(String value) {
        return switch (value) {
            case "adopt" -> ProvisionerEvents.OrphanAction.ADOPT;
            case "delete" -> ProvisionerEvents.OrphanAction.DELETE;
            default ->
                throw new IllegalArgumentException(
                        "ebbtide.provisioner.orphan-action must be adopt or delete, not '" + value + "'");
        };
    }

    /** Required keys are checked here, with the key's name in the message; secrets are never printed. */
    static AzureSettings azureSettings(ProvisionerConfig.Azure a) {
        String subscription = a.subscriptionId().orElseThrow(() -> missing("subscription-id"));
        String group = a.resourceGroup().orElseThrow(() -> missing("resource-group"));
        String customData = a.customDataFile()
                .map(f -> {
                    try {
                        return Files.readString(f);
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot read ebbtide.azure.custom-data-file " + f, e);
                    }
                })
                .orElseGet(() -> agentCustomData(a));
        return new AzureSettings(
                subscription,
                a.tenantId().orElse(null),
                group,
                a.region().orElse(null),
                a.scaleSetPrefix(),
                a.image(),
                a.subnetId().orElseThrow(() -> missing("subnet-id")),
                a.adminUsername(),
                a.sshPublicKey().orElse(null),
                customData,
                a.nodeIdentityId().orElse(null),
                a.osDiskType(),
                a.endpoint().orElse(null),
                a.pollInterval());
    }

    /** cloud-init that installs and starts the node agent, when {@code ebbtide.azure.agent.package-url} is set. */
    static String agentCustomData(ProvisionerConfig.Azure a) {
        ProvisionerConfig.Agent agent = a.agent();
        return agent.packageUrl()
                .map(url -> NodeAgentCloudInit.render(new NodeAgentCloudInit.Settings(
                        url,
                        agent.packageSha256().orElseThrow(() -> missing("agent.package-sha256")),
                        agent.bootstrapServers().orElseThrow(() -> missing("agent.bootstrap-servers")),
                        agent.kafka(),
                        a.scaleSetPrefix(),
                        agent.datastoreAccount()
                                .map(account -> new NodeAgentCloudInit.Datastore(
                                        account,
                                        agent.datastoreContainer()
                                                .orElseThrow(() -> missing("agent.datastore-container")),
                                        agent.datastoreEndpoint().orElse(null)))
                                .orElse(null))))
                .orElse(null);
    }

    private static IllegalArgumentException missing(String key) {
        return new IllegalArgumentException(
                "ebbtide.provider=azure-vmss needs ebbtide.azure." + key + " (see docs/azure.md)");
    }
}
