package dev.poolwatch.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.poolwatch.rules.Tool;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.fabric8.openshift.api.model.monitoring.v1alpha1.AlertmanagerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/kubernetes, checked offline: its generated files equal their sources, {@code kubectl kustomize} renders it,
 * every object parses strictly against the Kubernetes and prometheus-operator models (an unknown or misspelt field
 * fails), the PrometheusRule passes promtool, and the objects say what docs/fleet.md promises.
 */
class KubernetesManifestsTest {

    private static final Path REPO = Path.of("").toAbsolutePath();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /**
     * fabric8's models keep unknown fields in an "additionalProperties" map (@JsonAnySetter) instead of failing;
     * without any-setters, FAIL_ON_UNKNOWN_PROPERTIES makes every model as strict as the API server's schema.
     */
    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .setAnnotationIntrospector(new JacksonAnnotationIntrospector() {
                private static final long serialVersionUID = 1L;

                @Override
                public Boolean hasAnySetter(Annotated a) {
                    return false;
                }
            });
    private static final Map<String, Class<?>> MODELS = Map.of(
            "apps/v1/StatefulSet", StatefulSet.class,
            "v1/Service", Service.class,
            "v1/ConfigMap", ConfigMap.class,
            "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class,
            "monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class,
            "monitoring.coreos.com/v1/PrometheusRule", PrometheusRule.class,
            "monitoring.coreos.com/v1alpha1/AlertmanagerConfig", AlertmanagerConfig.class);

    private static List<JsonNode> rendered;

    @BeforeAll
    static void render(@TempDir Path scratch) throws Exception {
        if (Boolean.getBoolean("poolwatch.regenerate")) {
            KubernetesManifests.main(new String[0]);
        }
        Tool.require("kubectl", "kubernetes-client");
        Path out = scratch.resolve("rendered.yaml");
        Path err = scratch.resolve("kubectl.log");
        Process p = new ProcessBuilder("kubectl", "kustomize", KubernetesManifests.BASE.toString())
                .directory(REPO.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("kubectl kustomize did not finish within 60 s");
        }
        assertThat(p.exitValue()).as("kubectl kustomize: %s", Files.readString(err)).isZero();
        rendered = new ArrayList<>();
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(out.toFile())) {
            docs.forEachRemaining(rendered::add);
        }
    }

    private static <T> T the(Class<T> model) throws IOException {
        List<JsonNode> matching = rendered.stream().filter(d -> MODELS.get(key(d)) == model).toList();
        assertThat(matching).as(model.getSimpleName()).hasSize(1);
        return STRICT.treeToValue(matching.get(0), model);
    }

    private static String key(JsonNode doc) {
        return doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
    }

    @Test
    void generatedFilesEqualTheirSources() throws IOException {
        List<String> stale = new ArrayList<>();
        for (Map.Entry<String, String> e : KubernetesManifests.generated(REPO).entrySet()) {
            Path file = REPO.resolve(KubernetesManifests.BASE).resolve(e.getKey());
            if (!Files.exists(file) || !Files.readString(file).equals(e.getValue())) {
                stale.add(e.getKey());
            }
        }
        assertThat(stale).as("deploy/kubernetes files that differ from prometheus/rules and grafana/dashboards;"
                + " regenerate with: mvn test -Dtest=KubernetesManifestsTest -Dpoolwatch.regenerate=true").isEmpty();
    }

    @Test
    void everyRenderedObjectParsesStrictlyAgainstItsModel() {
        assertThat(rendered).extracting(KubernetesManifestsTest::key).containsOnlyOnceElementsOf(List.of(
                "apps/v1/StatefulSet", "v1/Service", "networking.k8s.io/v1/NetworkPolicy",
                "monitoring.coreos.com/v1/ServiceMonitor", "monitoring.coreos.com/v1/PrometheusRule",
                "monitoring.coreos.com/v1alpha1/AlertmanagerConfig"));
        for (JsonNode doc : rendered) {
            Class<?> model = MODELS.get(key(doc));
            assertThat(model).as("a model for %s", key(doc)).isNotNull();
            try {
                STRICT.treeToValue(doc, model);
            } catch (IOException e) {
                throw new AssertionError(key(doc) + " " + doc.path("metadata").path("name").asText()
                        + " does not match its schema: " + e.getMessage(), e);
            }
        }
    }

    @Test
    void misspeltFieldFailsTheStrictParse() {
        JsonNode statefulSet = rendered.stream().filter(d -> key(d).equals("apps/v1/StatefulSet")).findFirst()
                .orElseThrow().deepCopy();
        ObjectNode container = (ObjectNode) statefulSet.path("spec").path("template").path("spec").path("containers")
                .get(0);
        container.set("readinesProbe", container.remove("readinessProbe"));

        assertThatThrownBy(() -> STRICT.treeToValue(statefulSet, StatefulSet.class))
                .hasMessageContaining("readinesProbe");
    }

    @Test
    void prometheusRuleGroupsPassPromtool(@TempDir Path scratch) throws IOException {
        PrometheusRule rule = the(PrometheusRule.class);
        Path rules = scratch.resolve("rules.yml");
        YAML.writeValue(rules.toFile(), Map.of("groups", rule.getSpec().getGroups()));

        String out = Tool.require("promtool", "prometheus").runOk(scratch, List.of("check", "rules", rules.toString()));

        assertThat(out).contains("SUCCESS");
        assertThat(rule.getSpec().getGroups()).extracting(g -> g.getName()).contains("sqlite-pool.rules");
    }

    @Test
    void podRunsNonRootOnAReadOnlyRootWithTmpAndItsOwnVolume() throws IOException {
        StatefulSet set = the(StatefulSet.class);
        var pod = set.getSpec().getTemplate().getSpec();
        Container c = pod.getContainers().get(0);

        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getMountPath()).isEqualTo("/tmp");
            assertThat(pod.getVolumes()).anySatisfy(v -> {
                assertThat(v.getName()).isEqualTo(m.getName());
                assertThat(v.getEmptyDir()).isNotNull();
            });
        });
        assertThat(set.getSpec().getVolumeClaimTemplates()).singleElement().satisfies(pvc ->
                assertThat(pvc.getSpec().getAccessModes()).containsExactly("ReadWriteOnce"));
        assertThat(c.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/data"));
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/health/live");
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health/ready");
        assertThat(pod.getTerminationGracePeriodSeconds()).isGreaterThanOrEqualTo(30L);
        assertThat(pod.getVolumes()).anySatisfy(v -> assertThat(v.getSecret().getSecretName())
                .isEqualTo("poolwatch-token"));
        assertThat(c.getArgs()).contains("--token-file=/run/secrets/poolwatch/token");
    }

    @Test
    void relayFindsPeersThroughTheHeadlessServiceThatAlertmanagerPostsTo() throws IOException {
        Service service = the(Service.class);
        StatefulSet set = the(StatefulSet.class);
        AlertmanagerConfig am = the(AlertmanagerConfig.class);
        String namespace = set.getMetadata().getNamespace();

        assertThat(service.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(service.getSpec().getPublishNotReadyAddresses()).isTrue();
        assertThat(set.getSpec().getServiceName()).isEqualTo(service.getMetadata().getName());
        assertThat(set.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                .contains("--fleet-peers-dns=" + service.getMetadata().getName() + ".$(POD_NAMESPACE).svc:9464");
        var hook = am.getSpec().getReceivers().get(0).getWebhookConfigs().get(0);
        assertThat(hook.getUrl()).isEqualTo("http://" + service.getMetadata().getName() + "." + namespace
                + ".svc:9464/alertmanager/relay");
        assertThat(hook.getHttpConfig().getAuthorization().getCredentials().getName()).isEqualTo("poolwatch-token");
    }

    @Test
    void onlyPrometheusAlertmanagerAndPeersMayConnect() throws IOException {
        NetworkPolicy policy = the(NetworkPolicy.class);

        assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
        assertThat(policy.getSpec().getIngress()).singleElement().satisfies(rule ->
                assertThat(rule.getFrom()).extracting(peer -> peer.getPodSelector().getMatchLabels()
                        .get("app.kubernetes.io/name")).containsExactlyInAnyOrder("prometheus", "alertmanager",
                        "poolwatch"));
        ServiceMonitor monitor = the(ServiceMonitor.class);
        assertThat(monitor.getSpec().getEndpoints()).singleElement().satisfies(e ->
                assertThat(e.getPath()).isEqualTo("/metrics"));
    }

    @Test
    void everyDashboardIsAConfigMapForGrafanasSidecar() throws IOException {
        Map<String, String> sources = new java.util.TreeMap<>();
        try (var files = Files.list(REPO.resolve("grafana/dashboards"))) {
            for (Path f : files.filter(f -> f.toString().endsWith(".json")).toList()) {
                sources.put(f.getFileName().toString(), Files.readString(f));
            }
        }
        Map<String, String> shipped = new java.util.TreeMap<>();
        for (JsonNode doc : rendered.stream().filter(d -> key(d).equals("v1/ConfigMap")).toList()) {
            ConfigMap map = STRICT.treeToValue(doc, ConfigMap.class);
            assertThat(map.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
            shipped.putAll(map.getData());
        }
        assertThat(shipped).isEqualTo(sources);
    }
}
