package dev.ebbtide.provisioner.cloud.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.policy.FixedDelayOptions;
import com.azure.core.http.policy.RetryOptions;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.profile.AzureProfile;
import com.azure.core.util.Context;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.resourcemanager.compute.ComputeManager;
import com.azure.resourcemanager.compute.fluent.VirtualMachineScaleSetVMsClient;
import com.azure.resourcemanager.compute.fluent.VirtualMachineScaleSetsClient;
import com.azure.resourcemanager.compute.fluent.models.VirtualMachineScaleSetInner;
import com.azure.resourcemanager.compute.models.ApiEntityReference;
import com.azure.resourcemanager.compute.models.BillingProfile;
import com.azure.resourcemanager.compute.models.CachingTypes;
import com.azure.resourcemanager.compute.models.DiskCreateOptionTypes;
import com.azure.resourcemanager.compute.models.ImageReference;
import com.azure.resourcemanager.compute.models.LinuxConfiguration;
import com.azure.resourcemanager.compute.models.OrchestrationMode;
import com.azure.resourcemanager.compute.models.ResourceIdentityType;
import com.azure.resourcemanager.compute.models.Sku;
import com.azure.resourcemanager.compute.models.SshConfiguration;
import com.azure.resourcemanager.compute.models.SshPublicKey;
import com.azure.resourcemanager.compute.models.StorageAccountTypes;
import com.azure.resourcemanager.compute.models.UpgradeMode;
import com.azure.resourcemanager.compute.models.UpgradePolicy;
import com.azure.resourcemanager.compute.models.VirtualMachineEvictionPolicyTypes;
import com.azure.resourcemanager.compute.models.VirtualMachineIdentityUserAssignedIdentities;
import com.azure.resourcemanager.compute.models.VirtualMachinePriorityTypes;
import com.azure.resourcemanager.compute.models.VirtualMachineScaleSetIdentity;
import com.azure.resourcemanager.compute.models.VirtualMachineScaleSetIpConfiguration;
import com.azure.resourcemanager.compute.models.VirtualMachineScaleSetManagedDiskParameters;
import com.azure.resourcemanager.compute.models.VirtualMachineScaleSetNetworkConfiguration;
import com.azure.resourcemanager.compute.models.VirtualMachineScaleSetNetworkProfile;
import com.azure.resourcemanager.compute.models.VirtualMachineScaleSetOSDisk;
import com.azure.resourcemanager.compute.models.VirtualMachineScaleSetOSProfile;
import com.azure.resourcemanager.compute.models.VirtualMachineScaleSetStorageProfile;
import com.azure.resourcemanager.compute.models.VirtualMachineScaleSetVMProfile;
import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ErrorClass;
import dev.ebbtide.provisioner.cloud.CloudException;
import dev.ebbtide.provisioner.cloud.CloudProvider;
import dev.ebbtide.provisioner.cloud.FallbackNodePool;
import dev.ebbtide.provisioner.cloud.NodePool;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * {@code azure-vmss}: one VM scale set per cluster in the configured subscription and resource group, created if
 * missing from the cluster's {@code size} and {@code tier} ({@code low_priority} = Spot, eviction policy Delete).
 */
public final class AzureVmssProvider implements CloudProvider {

    public static final String NAME = "azure-vmss";
    /** Tag on every scale set Ebbtide creates, naming its cluster. */
    public static final String CLUSTER_TAG = "ebbtide-cluster";

    private static final Logger LOG = Logger.getLogger(AzureVmssProvider.class);

    private final ComputeManager compute;
    private final AzureSettings settings;
    private final Map<String, NodePool> pools = new ConcurrentHashMap<>();
    private final ArmWriteLimiter limiter;

    /** For tests and callers that build their own pipeline (e.g. against a fake ARM server). */
    public AzureVmssProvider(ComputeManager compute, AzureSettings settings) {
        this(compute, settings, null);
    }

    /**
     * @param limiter the subscription's write budget, also in {@code compute}'s pipeline ({@link ArmThrottlePolicy});
     *                a scale set's capacity write waits for it before it takes the latest target; null = none
     */
    public AzureVmssProvider(ComputeManager compute, AzureSettings settings, ArmWriteLimiter limiter) {
        this.compute = compute;
        this.settings = settings;
        this.limiter = limiter;
    }

    /** The ARM client, for the quota reader ({@link AzureQuota}). */
    public ComputeManager computeManager() {
        return compute;
    }

    /**
     * Real use: credentials from {@code DefaultAzureCredential} (environment, workload / managed identity, Azure CLI).
     * The SDK's own retries are off: Ebbtide's {@code RetryPolicy} decides, so every error is counted and explained.
     */
    public static AzureVmssProvider withDefaultCredential(AzureSettings settings, ArmWriteLimiter limiter) {
        DefaultAzureCredentialBuilder builder = new DefaultAzureCredentialBuilder();
        if (settings.tenantId() != null) {
            builder.tenantId(settings.tenantId());
        }
        return withCredential(settings, builder.build(), limiter);
    }

    /**
     * With {@code limiter}, every write waits its turn in the subscription's write budget and every answer feeds it
     * ({@link ArmThrottlePolicy}); null = no client-side limit.
     */
    public static AzureVmssProvider withCredential(
            AzureSettings settings, TokenCredential credential, ArmWriteLimiter limiter) {
        AzureProfile profile = new AzureProfile(settings.tenantId(), settings.subscriptionId(), environment(settings));
        var configurable = ComputeManager.configure()
                .withRetryOptions(new RetryOptions(new FixedDelayOptions(0, Duration.ofMillis(1))));
        if (limiter != null) {
            configurable = configurable.withPolicy(new ArmThrottlePolicy(limiter));
        }
        return new AzureVmssProvider(configurable.authenticate(credential, profile), settings, limiter);
    }

    /** Public Azure, or a copy of it whose Resource Manager endpoint is {@link AzureSettings#endpoint()}. */
    public static AzureEnvironment environment(AzureSettings settings) {
        if (settings.endpoint() == null) {
            return AzureEnvironment.AZURE;
        }
        Map<String, String> endpoints = new HashMap<>(AzureEnvironment.AZURE.getEndpoints());
        String url = settings.endpoint().toString();
        endpoints.put("resourceManagerEndpointUrl", url.endsWith("/") ? url : url + "/");
        return new AzureEnvironment(endpoints);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public NodePool nodePool(ClusterSpec cluster) {
        return pools.computeIfAbsent(cluster.name(), n -> open(cluster));
    }

    /**
     * Drop the cached pool of a cluster (after a {@code not_found} error, or when the cluster is deleted): the next
     * {@link #nodePool} reads the scale set again and re-creates it if missing.
     */
    public void forget(String cluster) {
        pools.remove(cluster);
    }

    /**
     * The cluster's pool: its scale set, or with {@code ebbtide_fallback} alternatives one scale set per choice
     * ({@code <prefix><cluster>} for its own size and tier, {@code <prefix><cluster>-<n>} for alternative n) behind a
     * {@link FallbackNodePool}.
     */
    private NodePool open(ClusterSpec cluster) {
        List<FallbackNodePool.Choice> choices = FallbackNodePool.choices(cluster);
        if (choices.size() == 1) {
            return open(cluster, settings.scaleSetName(cluster.name()));
        }
        List<NodePool> each = new ArrayList<>();
        for (int i = 0; i < choices.size(); i++) {
            FallbackNodePool.Choice c = choices.get(i);
            ClusterSpec asChoice = new ClusterSpec(
                    cluster.name(),
                    c.size(),
                    c.tier(),
                    cluster.minInstances(),
                    cluster.maxInstances(),
                    cluster.idleTimeBeforeScaleDown(),
                    cluster.location(),
                    cluster.type(),
                    null,
                    null,
                    cluster.capacity());
            each.add(open(asChoice, scaleSetName(cluster.name(), i)));
        }
        return new FallbackNodePool(cluster.name(), choices, each);
    }

    /** {@code <prefix><cluster>} for choice 0 (the cluster's own size), {@code <prefix><cluster>-<n>} for the others. */
    String scaleSetName(String cluster, int choice) {
        return settings.scaleSetName(cluster) + (choice == 0 ? "" : "-" + choice);
    }

    private AzureVmssNodePool open(ClusterSpec cluster, String name) {
        VirtualMachineScaleSetsClient scaleSets = compute.serviceClient().getVirtualMachineScaleSets();
        VirtualMachineScaleSetVMsClient vms = compute.serviceClient().getVirtualMachineScaleSetVMs();
        String rg = settings.resourceGroup();
        try {
            scaleSets.getByResourceGroup(rg, name);
        } catch (RuntimeException e) {
            CloudException ce = AzureTranslation.toCloudException("read scale set " + name, e);
            if (ce.errorClass() != ErrorClass.NOT_FOUND) {
                throw ce;
            }
            create(cluster, name, scaleSetModel(cluster, name));
        }
        return new AzureVmssNodePool(
                scaleSets, vms, cluster.name(), rg, name, isSpot(cluster), settings.pollInterval(), limiter);
    }

    /** The settings this provider was made with. */
    public AzureSettings settings() {
        return settings;
    }

    /** Creates the scale set of this model for a cluster or instance; a concurrent creation is taken as done. */
    void create(ClusterSpec cluster, VirtualMachineScaleSetInner model) {
        create(cluster, settings.scaleSetName(cluster.name()), model);
    }

    /** Creates the scale set {@code name} of this model; a concurrent creation is taken as done. */
    void create(ClusterSpec cluster, String name, VirtualMachineScaleSetInner model) {
        VirtualMachineScaleSetsClient scaleSets = compute.serviceClient().getVirtualMachineScaleSets();
        String action = "create scale set " + name + " (" + cluster.size() + ", " + cluster.tier() + ", capacity "
                + model.sku().capacity() + ")";
        LOG.infof("cluster %s: %s in %s/%s", cluster.name(), action, settings.resourceGroup(), location(cluster));
        try {
            // If-None-Match: * so that two provisioners racing to create it cannot overwrite each other's model.
            AzureVmssNodePool.finish(
                    scaleSets.beginCreateOrUpdate(settings.resourceGroup(), name, model, null, "*", Context.NONE),
                    settings.pollInterval(),
                    action);
        } catch (RuntimeException e) {
            CloudException ce = AzureTranslation.toCloudException(action, e);
            if (ce.errorClass() == ErrorClass.CONFLICT) {
                LOG.infof("cluster %s: scale set %s was created concurrently; using it", cluster.name(), name);
                return;
            }
            LOG.warnf("%s [%s]", ce.getMessage(), ce.errorClass());
            throw ce;
        }
    }

    static boolean isSpot(ClusterSpec cluster) {
        return "low_priority".equals(cluster.tier());
    }

    /**
     * The cluster's {@code spot_max_price} (US dollars per hour), else -1: pay up to the on-demand price, never evicted
     * for price (Azure's default).
     */
    static double spotMaxPrice(ClusterSpec cluster) {
        Double price = cluster.capacityOrDefault().spotMaxPrice();
        return price == null ? -1.0 : price;
    }

    private String location(ClusterSpec cluster) {
        return cluster.location() != null ? cluster.location() : settings.region();
    }

    /** The scale set Ebbtide creates for a cluster: empty, Uniform, manual upgrades, no overprovisioning. */
    VirtualMachineScaleSetInner scaleSetModel(ClusterSpec cluster) {
        return scaleSetModel(cluster, settings.scaleSetName(cluster.name()));
    }

    /**
     * The model of scale set {@code name} for the cluster's size and tier. A fallback alternative's scale set is not
     * named {@code <prefix><cluster>}, so its agents cannot take the cluster from the scale set's name: the rendered
     * custom data names the cluster instead ({@code cluster=imds} becomes {@code cluster=<cluster>}).
     */
    VirtualMachineScaleSetInner scaleSetModel(ClusterSpec cluster, String name) {
        VirtualMachineScaleSetOSProfile os = new VirtualMachineScaleSetOSProfile()
                .withComputerNamePrefix(name)
                .withAdminUsername(settings.adminUsername())
                .withLinuxConfiguration(new LinuxConfiguration()
                        .withDisablePasswordAuthentication(true)
                        .withSsh(
                                settings.sshPublicKey() == null
                                        ? null
                                        : new SshConfiguration()
                                                .withPublicKeys(List.of(new SshPublicKey()
                                                        .withPath("/home/" + settings.adminUsername()
                                                                + "/.ssh/authorized_keys")
                                                        .withKeyData(settings.sshPublicKey())))));
        if (settings.customData() != null) {
            String data = settings.customData();
            if (!name.equals(settings.scaleSetName(cluster.name()))) {
                data = data.replaceAll("(?m)^(\\s*)cluster=imds$", "$1cluster=" + cluster.name());
            }
            os.withCustomData(Base64.getEncoder().encodeToString(data.getBytes(StandardCharsets.UTF_8)));
        }
        VirtualMachineScaleSetVMProfile profile = new VirtualMachineScaleSetVMProfile()
                .withOsProfile(os)
                .withStorageProfile(new VirtualMachineScaleSetStorageProfile()
                        .withImageReference(imageReference(settings.image()))
                        .withOsDisk(new VirtualMachineScaleSetOSDisk()
                                .withCreateOption(DiskCreateOptionTypes.FROM_IMAGE)
                                .withCaching(CachingTypes.READ_WRITE)
                                .withManagedDisk(new VirtualMachineScaleSetManagedDiskParameters()
                                        .withStorageAccountType(
                                                StorageAccountTypes.fromString(settings.osDiskType())))))
                .withNetworkProfile(new VirtualMachineScaleSetNetworkProfile()
                        .withNetworkInterfaceConfigurations(List.of(new VirtualMachineScaleSetNetworkConfiguration()
                                .withName(name + "-nic")
                                .withPrimary(true)
                                .withIpConfigurations(List.of(new VirtualMachineScaleSetIpConfiguration()
                                        .withName(name + "-ip")
                                        .withPrimary(true)
                                        .withSubnet(new ApiEntityReference().withId(settings.subnetId())))))));
        if (isSpot(cluster)) {
            profile.withPriority(VirtualMachinePriorityTypes.SPOT)
                    .withEvictionPolicy(VirtualMachineEvictionPolicyTypes.DELETE)
                    .withBillingProfile(new BillingProfile().withMaxPrice(spotMaxPrice(cluster)));
        }
        VirtualMachineScaleSetInner model = new VirtualMachineScaleSetInner()
                .withSku(new Sku().withName(cluster.size()).withTier("Standard").withCapacity(0L))
                .withOrchestrationMode(OrchestrationMode.UNIFORM)
                .withOverprovision(false)
                .withSinglePlacementGroup(false)
                .withUpgradePolicy(new UpgradePolicy().withMode(UpgradeMode.MANUAL))
                .withVirtualMachineProfile(profile);
        model.withLocation(location(cluster));
        model.withTags(Map.of(CLUSTER_TAG, cluster.name()));
        if (settings.nodeIdentityId() != null) {
            model.withIdentity(new VirtualMachineScaleSetIdentity()
                    .withType(ResourceIdentityType.USER_ASSIGNED)
                    .withUserAssignedIdentities(
                            Map.of(settings.nodeIdentityId(), new VirtualMachineIdentityUserAssignedIdentities())));
        }
        return model;
    }

    static ImageReference imageReference(String image) {
        if (image.startsWith("/")) {
            return new ImageReference().withId(image);
        }
        String[] p = image.split(":");
        if (p.length != 4) {
            throw new IllegalArgumentException(
                    "ebbtide.azure.image must be publisher:offer:sku:version or an image resource id, got " + image);
        }
        return new ImageReference()
                .withPublisher(p[0])
                .withOffer(p[1])
                .withSku(p[2])
                .withVersion(p[3]);
    }
}
