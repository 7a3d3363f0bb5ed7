package io.peering.deploy.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Renders every overlay of deploy/k8s with the project's own kubectl (deploy/local/install-kubectl.sh:
 * Debian's kubectl 1.36.4, kustomize 5.8) and checks the objects against what the services really
 * do: the ports and health paths Quarkus serves (each service's application.properties), the gRPC
 * services the protos declare, the restricted security context, and that every reference resolves.
 * Each test checks one behaviour over all overlays and reports every violation with its overlay
 * and object, so one run shows everything that is wrong.
 */
class RenderedManifestsTest {

    static final Path REPO = repoRoot();
    static final Path K8S = REPO.resolve("deploy/k8s");

    static final String ROUTES = "routes-service";
    static final List<String> QUERY_SERVICES = List.of("metrics-service", "latency-service", "events-service");
    static final List<String> SERVICES = List.of(ROUTES, "metrics-service", "latency-service", "events-service");
    static final String NAME_LABEL = "app.kubernetes.io/name";
    static final String DATABASE = "timescaledb";

    /** The pages: a Quarkus app for browsers, a gRPC client of the four services, no gRPC server, no database. */
    static final String CONSOLE = "console";
    /** Requests a browser makes of the console (its JAX-RS resources and the bundle web/shell.html loads). */
    static final List<String> CONSOLE_PATHS = List.of("/", "/peerings", "/peerings/contoso-ams/connections", "/signin",
            "/peeringServices/contoso-ms", "/session/signin", "/session/signout", "/api/session",
            "/api/call/peering.routes.v1.RoutesService/ListPeerings", "/assets/app.js", "/assets/app.css");
    /** The console's server-sent events (EventStreamResource): open as long as the page is. */
    static final String CONSOLE_EVENTS_PATH = "/api/watch/prefixEvents";

    /** What quarkus-smallrye-health serves (default root path /q/health), by probe kind. */
    static final Map<String, String> HEALTH_PATHS = Map.of(
            "startupProbe", "/q/health/started",
            "readinessProbe", "/q/health/ready",
            "livenessProbe", "/q/health/live");

    /**
     * Secrets no overlay generates: created in the namespace before applying (deploy/k8s/README.md
     * gives the kubectl create secret command of each, which this test reads).
     */
    static final Set<String> EXTERNAL_SECRETS = Set.of(
            "peering-db", "peering-db-backup", "peering-jwt-public-key", "peering-service-token", "peering-gateway-tls");

    /**
     * Variables the manifests set that a service's configuration does not read yet. latency-service
     * calls routes-service (ListReceivedRoutes) but has no peering.auth.service-token yet; the
     * manifest already hands it the token. Remove the entry when it reads one.
     */

    /**
     * Variables of authentication, which is being built on its own branch: exempt only while no
     * service's configuration reads them at all. Once it lands, every service that gets one must read it.
     */
    static final Set<String> NOT_LANDED_YET = Set.of("PEERING_AUTH_ENABLED", "PEERING_AUTH_PUBLIC_KEY", "PEERING_ROUTES_TOKEN");

    static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "ClusterRole", "ClusterRoleBinding", "GatewayClass",
            "CustomResourceDefinition", "StorageClass", "PriorityClass");

    static final Map<String, Render> RENDERS = new TreeMap<>();

    // ---------------------------------------------------------------- rendering

    @BeforeAll
    static void renderEveryOverlay() throws Exception {
        Path kubectl = kubectl();
        List<Path> overlays;
        try (Stream<Path> dirs = Files.list(K8S.resolve("overlays"))) {
            overlays = dirs.filter(d -> Files.isRegularFile(d.resolve("kustomization.yaml"))
                    || Files.isRegularFile(d.resolve("kustomization.yml"))).sorted().toList();
        }
        assertThat(overlays).as("overlays under %s", K8S.resolve("overlays")).isNotEmpty();
        for (Path overlay : overlays) {
            Run run = run(180, kubectl.toString(), "kustomize", overlay.toString());
            if (run.exit != 0) {
                fail("kubectl kustomize " + REPO.relativize(overlay) + " failed (exit " + run.exit + "):\n" + run.err);
            }
            List<Map<String, Object>> objects = new ArrayList<>();
            Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
            for (Object doc : yaml.loadAll(run.out)) {
                if (doc != null) {
                    objects.add(map(doc));
                }
            }
            Render render = new Render(overlay.getFileName().toString(), objects, run.out.length());
            RENDERS.put(render.name, render);
            System.out.printf("rendered %s: %d objects, %d bytes%n", REPO.relativize(overlay), objects.size(), render.bytes);
        }
    }

    @Test
    void everyOverlayRendersTheWholePlatform() {
        assertThat(RENDERS.keySet()).contains("dev", "production");
        List<String> problems = new ArrayList<>();
        for (Render r : RENDERS.values()) {
            for (String service : SERVICES) {
                if (r.find("Deployment", service).isEmpty()) {
                    problems.add(r.name + ": no Deployment " + service);
                }
            }
            if (r.find("Cluster", DATABASE).isEmpty()) {
                problems.add(r.name + ": no CloudNativePG Cluster " + DATABASE);
            }
            if (r.find("Deployment", CONSOLE).isEmpty()) {
                problems.add(r.name + ": no Deployment " + CONSOLE);
            }
            if (r.all("Gateway").isEmpty()) {
                problems.add(r.name + ": no Gateway");
            }
            for (Map<String, Object> o : r.objects) {
                if (!CLUSTER_SCOPED.contains(kind(o)) && namespace(o) == null) {
                    problems.add(r.name + ": " + kind(o) + " " + name(o) + " has no namespace (it would land in kubectl's current one)");
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    // ---------------------------------------------------------------- probes

    @Test
    void everyProbeTargetsThePortQuarkusListensOnAndAPathItServes() {
        List<String> problems = new ArrayList<>();
        for (Render r : RENDERS.values()) {
            for (Map<String, Object> d : r.all("Deployment")) {
                String where = r.name + ": Deployment " + name(d);
                Optional<Module> module = Module.of(podLabels(d).get(NAME_LABEL));
                if (module.isEmpty()) {
                    problems.add(where + ": label " + NAME_LABEL + "=" + podLabels(d).get(NAME_LABEL)
                            + " names no service module with an application.properties");
                    continue;
                }
                for (Map<String, Object> c : containers(podSpec(d))) {
                    String at = where + " container " + c.get("name");
                    int httpPort = module.get().httpPort(c);
                    int grpcPort = module.get().grpcPort(c);
                    boolean grpcProbe = false;
                    for (String kind : HEALTH_PATHS.keySet()) {
                        Map<String, Object> probe = map(c.get(kind));
                        if (probe.isEmpty()) {
                            problems.add(at + ": no " + kind);
                            continue;
                        }
                        if (probe.containsKey("httpGet")) {
                            Map<String, Object> get = map(probe.get("httpGet"));
                            Integer port = containerPort(c, get.get("port"));
                            if (port == null) {
                                problems.add(at + ": " + kind + " port " + get.get("port") + " is no port of the container");
                            } else if (port != httpPort) {
                                problems.add(at + ": " + kind + " port " + port + ", but Quarkus listens on " + httpPort
                                        + " (quarkus.http.port)");
                            }
                            if (!HEALTH_PATHS.get(kind).equals(get.get("path"))) {
                                problems.add(at + ": " + kind + " path " + get.get("path") + "; smallrye-health serves "
                                        + HEALTH_PATHS.get(kind) + " for it");
                            }
                            if (get.get("scheme") != null && !"HTTP".equals(get.get("scheme"))) {
                                problems.add(at + ": " + kind + " scheme " + get.get("scheme") + " (the service has no TLS)");
                            }
                        } else if (probe.containsKey("grpc")) {
                            grpcProbe = true;
                            if (!module.get().servesGrpc()) {
                                problems.add(at + ": " + kind + " asks grpc.health.v1, but " + module.get().name()
                                        + " has no @GrpcService, so no gRPC server answers it");
                            }
                            Object port = map(probe.get("grpc")).get("port");
                            Integer resolved = port instanceof Integer ? containerPort(c, port) : null;
                            if (resolved == null) {
                                problems.add(at + ": " + kind + " gRPC port " + port + " is no port number of the container");
                            } else if (resolved != grpcPort) {
                                problems.add(at + ": " + kind + " gRPC port " + resolved + ", but gRPC is served on " + grpcPort);
                            }
                        } else {
                            problems.add(at + ": " + kind + " is neither httpGet nor grpc: " + probe.keySet());
                        }
                    }
                    if (!grpcProbe && module.get().servesGrpc()) {
                        problems.add(at + ": no gRPC probe (grpc.health.v1 on the gRPC port)");
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void everyQuarkusContainerListensOnThePodsAddressNotLoopback() {
        // The kubelet's probes and the Services reach the pod's IP; a server on 127.0.0.1 passes no probe
        // and takes no traffic. The console's own default is 127.0.0.1 (PEERING_CONSOLE_HOST).
        List<String> problems = new ArrayList<>();
        for (Render r : RENDERS.values()) {
            for (Map<String, Object> d : r.all("Deployment")) {
                Optional<Module> module = Module.of(podLabels(d).get(NAME_LABEL));
                if (module.isEmpty()) {
                    continue;
                }
                for (Map<String, Object> c : containers(podSpec(d))) {
                    String host = Optional.ofNullable(module.get().resolved(c, "quarkus.http.host")).orElse("0.0.0.0");
                    if (host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]")) {
                        problems.add(r.name + ": Deployment " + name(d) + " container " + c.get("name") + " listens on " + host
                                + " (quarkus.http.host as its environment resolves it): nothing outside the container reaches it");
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    // ---------------------------------------------------------------- Gateway API

    @Test
    void everyGrpcRouteNamesAProtoServiceAndEveryProtoServiceHasARoute() {
        Map<String, Set<String>> protoServices = protoServices();
        assertThat(protoServices).as("services declared in proto/").isNotEmpty();
        List<String> problems = new ArrayList<>();
        for (Render r : RENDERS.values()) {
            Set<String> routed = new LinkedHashSet<>();
            for (Map<String, Object> route : r.all("GRPCRoute")) {
                String where = r.name + ": GRPCRoute " + name(route);
                for (Object p : list(at(route, "spec", "parentRefs"))) {
                    Map<String, Object> parent = map(p);
                    String kind = (String) parent.getOrDefault("kind", "Gateway");
                    String ns = (String) parent.getOrDefault("namespace", namespace(route));
                    if (!"Gateway".equals(kind) || r.find("Gateway", (String) parent.get("name"), ns).isEmpty()) {
                        problems.add(where + ": parentRef " + parent + " is no Gateway of the render");
                    }
                }
                for (Object o : list(at(route, "spec", "rules"))) {
                    List<Object> matches = list(map(o).get("matches"));
                    if (matches.isEmpty()) {
                        problems.add(where + ": a rule without matches takes every gRPC service");
                    }
                    for (Object m : matches) {
                        Map<String, Object> method = map(map(m).get("method"));
                        String service = (String) method.get("service");
                        if (service == null) {
                            problems.add(where + ": a match without method.service: " + m);
                        } else if (!protoServices.containsKey(service)) {
                            problems.add(where + ": method.service " + service + " is declared in no .proto (known: "
                                    + protoServices.keySet() + ")");
                        } else {
                            routed.add(service);
                            Object rpc = method.get("method");
                            if (rpc != null && !protoServices.get(service).contains(rpc)) {
                                problems.add(where + ": " + service + " has no rpc " + rpc);
                            }
                        }
                    }
                }
            }
            for (String service : protoServices.keySet()) {
                if (!routed.contains(service)) {
                    problems.add(r.name + ": no GRPCRoute matches " + service);
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void everyGrpcRouteBackendIsTheServicePortOfTheContainerImplementingIt() {
        Map<String, String> implementedBy = new HashMap<>();
        for (String fq : protoServices().keySet()) {
            Module.implementing(fq).ifPresent(m -> implementedBy.put(fq, m.name));
        }
        List<String> problems = new ArrayList<>();
        for (String fq : protoServices().keySet()) {
            if (!implementedBy.containsKey(fq)) {
                problems.add(fq + ": no service module has a @GrpcService implementing it");
            }
        }
        for (Render r : RENDERS.values()) {
            for (Map<String, Object> route : r.all("GRPCRoute")) {
                for (Object o : list(at(route, "spec", "rules"))) {
                    Set<String> services = new LinkedHashSet<>();
                    for (Object m : list(map(o).get("matches"))) {
                        Optional.ofNullable((String) at(m, "method", "service")).ifPresent(services::add);
                    }
                    List<Object> backends = list(map(o).get("backendRefs"));
                    String where = r.name + ": GRPCRoute " + name(route) + " " + services;
                    if (backends.isEmpty()) {
                        problems.add(where + ": no backendRefs");
                    }
                    for (Object b : backends) {
                        Map<String, Object> ref = map(b);
                        String at = where + " backendRef " + ref.get("name") + ":" + ref.get("port");
                        if (!"Service".equals(ref.getOrDefault("kind", "Service")) || !"".equals(ref.getOrDefault("group", ""))) {
                            problems.add(at + ": not a core Service");
                            continue;
                        }
                        Optional<Map<String, Object>> svc = r.find("Service", (String) ref.get("name"),
                                (String) ref.getOrDefault("namespace", namespace(route)));
                        if (svc.isEmpty()) {
                            problems.add(at + ": no such Service in the render");
                            continue;
                        }
                        Optional<Map<String, Object>> port = list(at(svc.get(), "spec", "ports")).stream().map(RenderedManifestsTest::map)
                                .filter(p -> Objects.equals(p.get("port"), ref.get("port"))).findFirst();
                        if (port.isEmpty()) {
                            problems.add(at + ": the Service has no port " + ref.get("port"));
                            continue;
                        }
                        List<Map<String, Object>> pods = r.workloadsSelectedBy(svc.get());
                        if (pods.isEmpty()) {
                            problems.add(at + ": the Service selects no pods of the render");
                        }
                        for (Map<String, Object> w : pods) {
                            String module = podLabels(w).get(NAME_LABEL);
                            for (String fq : services) {
                                if (!Objects.equals(implementedBy.get(fq), module)) {
                                    problems.add(at + ": routes " + fq + " to " + kind(w) + " " + name(w) + " (" + module
                                            + "), but " + implementedBy.get(fq) + " implements it");
                                }
                            }
                            Optional<Module> mod = Module.of(module);
                            for (Map<String, Object> c : containers(podSpec(w))) {
                                Integer target = containerPort(c, port.get().getOrDefault("targetPort", port.get().get("port")));
                                if (target == null) {
                                    continue;
                                }
                                if (mod.isPresent() && target != mod.get().grpcPort(c)) {
                                    problems.add(at + ": targets container port " + target + " of " + name(w) + ", but gRPC is on "
                                            + mod.get().grpcPort(c));
                                }
                            }
                            if (containers(podSpec(w)).stream().noneMatch(c -> containerPort(c,
                                    port.get().getOrDefault("targetPort", port.get().get("port"))) != null)) {
                                problems.add(at + ": targetPort " + port.get().get("targetPort") + " is no container port of " + name(w));
                            }
                        }
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    // ---------------------------------------------------------------- containers

    @Test
    void everyContainerHasCpuAndMemoryRequestsAndLimits() {
        List<String> problems = new ArrayList<>();
        for (Render r : RENDERS.values()) {
            for (Map<String, Object> w : r.workloads()) {
                for (Map<String, Object> c : allContainers(podSpec(w))) {
                    String at = r.name + ": " + kind(w) + " " + name(w) + " container " + c.get("name");
                    for (String resource : List.of("cpu", "memory")) {
                        Object request = at(c, "resources", "requests", resource);
                        Object limit = at(c, "resources", "limits", resource);
                        if (request == null || limit == null) {
                            problems.add(at + ": " + resource + " request " + request + ", limit " + limit + " (both needed)");
                        } else if (quantity(request.toString()).compareTo(quantity(limit.toString())) > 0) {
                            problems.add(at + ": " + resource + " request " + request + " is above its limit " + limit);
                        }
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void theServicesThatPingMayOpenUnprivilegedIcmpSocketsWithoutAnyCapability() {
        List<String> problems = new ArrayList<>();
        for (Render r : RENDERS.values()) {
            for (Map<String, Object> w : r.workloads()) {
                if (!List.of("routes-service", "latency-service").contains(name(w))) {
                    continue;
                }
                boolean ping = list(at(podSpec(w), "securityContext", "sysctls")).stream().map(RenderedManifestsTest::map)
                        .anyMatch(s -> "net.ipv4.ping_group_range".equals(s.get("name")) && "0 2147483647".equals(s.get("value")));
                if (!ping) {
                    problems.add(r.name + ": " + kind(w) + " " + name(w) + ": no net.ipv4.ping_group_range sysctl (its ping needs it"
                            + " without NET_RAW)");
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void everyContainerRunsUnderTheRestrictedSecurityContext() {
        List<String> problems = new ArrayList<>();
        for (Render r : RENDERS.values()) {
            for (Map<String, Object> w : r.workloads()) {
                Map<String, Object> spec = podSpec(w);
                Map<String, Object> pod = map(spec.get("securityContext"));
                String where = r.name + ": " + kind(w) + " " + name(w);
                for (String host : List.of("hostNetwork", "hostPID", "hostIPC")) {
                    if (Boolean.TRUE.equals(spec.get(host))) {
                        problems.add(where + ": " + host);
                    }
                }
                for (Object v : list(spec.get("volumes"))) {
                    if (map(v).containsKey("hostPath")) {
                        problems.add(where + ": hostPath volume " + map(v).get("name"));
                    }
                }
                for (Map<String, Object> c : allContainers(spec)) {
                    String at = where + " container " + c.get("name");
                    Map<String, Object> sc = map(c.get("securityContext"));
                    if (!Boolean.TRUE.equals(effective(sc, pod, "runAsNonRoot"))) {
                        problems.add(at + ": runAsNonRoot is not true (neither on the container nor the pod)");
                    }
                    for (String id : List.of("runAsUser", "runAsGroup")) {
                        Object value = effective(sc, pod, id);
                        if (!(value instanceof Integer i) || i == 0) {
                            problems.add(at + ": " + id + " " + value + " (a non-zero id is needed)");
                        }
                    }
                    if (!Boolean.FALSE.equals(sc.get("allowPrivilegeEscalation"))) {
                        problems.add(at + ": allowPrivilegeEscalation is not false");
                    }
                    if (!Boolean.TRUE.equals(sc.get("readOnlyRootFilesystem"))) {
                        problems.add(at + ": readOnlyRootFilesystem is not true");
                    }
                    if (Boolean.TRUE.equals(sc.get("privileged"))) {
                        problems.add(at + ": privileged");
                    }
                    if (!list(at(sc, "capabilities", "drop")).contains("ALL")) {
                        problems.add(at + ": capabilities do not drop ALL");
                    }
                    if (!list(at(sc, "capabilities", "add")).isEmpty()) {
                        problems.add(at + ": capabilities add " + at(sc, "capabilities", "add"));
                    }
                    Object seccomp = Optional.ofNullable(at(sc, "seccompProfile", "type")).orElse(at(pod, "seccompProfile", "type"));
                    if (!"RuntimeDefault".equals(seccomp)) {
                        problems.add(at + ": seccompProfile " + seccomp + " (RuntimeDefault needed)");
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void everyContainerWithAReadOnlyRootHasAnEmptyDirAtTmp() {
        List<String> problems = new ArrayList<>();
        for (Render r : RENDERS.values()) {
            for (Map<String, Object> w : r.workloads()) {
                Map<String, Map<String, Object>> volumes = volumesByName(podSpec(w));
                for (Map<String, Object> c : allContainers(podSpec(w))) {
                    Optional<Map<String, Object>> tmp = list(c.get("volumeMounts")).stream().map(RenderedManifestsTest::map)
                            .filter(m -> "/tmp".equals(m.get("mountPath"))).findFirst();
                    if (tmp.isEmpty() || !volumes.getOrDefault((String) tmp.get().get("name"), Map.of()).containsKey("emptyDir")
                            || Boolean.TRUE.equals(tmp.get().get("readOnly"))) {
                        problems.add(r.name + ": " + kind(w) + " " + name(w) + " container " + c.get("name")
                                + ": no writable emptyDir at /tmp (Quarkus and Vert.x write there; the root is read-only)");
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void everyImageIsPinnedToATagOrDigest() {
        List<String> problems = new ArrayList<>();
        for (Render r : RENDERS.values()) {
            for (Map<String, Object> w : r.workloads()) {
                for (Map<String, Object> c : allContainers(podSpec(w))) {
                    String image = (String) c.get("image");
                    String last = image == null ? "" : image.substring(image.lastIndexOf('/') + 1);
                    boolean pinned = image != null && (image.contains("@sha256:")
                            || (last.contains(":") && !last.endsWith(":latest")));
                    if (!pinned) {
                        problems.add(r.name + ": " + kind(w) + " " + name(w) + " container " + c.get("name") + ": image " + image
                                + " has no tag (the overlay's images: sets it)");
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    // ---------------------------------------------------------------- Services, PDBs, HPAs

    @Test
    void everyServiceSelectsPodsAndTargetsADeclaredContainerPort() {
        List<String> problems = new ArrayList<>();
        for (Render r : RENDERS.values()) {
            for (Map<String, Object> svc : r.all("Service")) {
                String where = r.name + ": Service " + name(svc);
                List<Map<String, Object>> pods = r.workloadsSelectedBy(svc);
                if (pods.isEmpty()) {
                    problems.add(where + ": selects no pods of the render");
                }
                for (Object p : list(at(svc, "spec", "ports"))) {
                    Object target = map(p).getOrDefault("targetPort", map(p).get("port"));
                    for (Map<String, Object> w : pods) {
                        if (containers(podSpec(w)).stream().noneMatch(c -> containerPort(c, target) != null)) {
                            problems.add(where + ": port " + map(p).get("port") + " targets " + target + ", no container port of "
                                    + kind(w) + " " + name(w));
                        }
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void everyServicePortForGrpcSpeaksH2c() {
        List<String> problems = new ArrayList<>();
        for (Render r : RENDERS.values()) {
            for (Map<String, Object> svc : r.all("Service")) {
                for (Object o : list(at(svc, "spec", "ports"))) {
                    Map<String, Object> p = map(o);
                    Object target = p.getOrDefault("targetPort", p.get("port"));
                    boolean grpc = String.valueOf(p.get("name")).startsWith("grpc");
                    for (Map<String, Object> w : r.workloadsSelectedBy(svc)) {
                        Optional<Module> module = Module.of(podLabels(w).get(NAME_LABEL));
                        for (Map<String, Object> c : containers(podSpec(w))) {
                            Integer port = containerPort(c, target);
                            grpc |= module.isPresent() && module.get().servesGrpc() && port != null && port == module.get().grpcPort(c);
                        }
                    }
                    if (grpc && !"kubernetes.io/h2c".equals(p.get("appProtocol"))) {
                        problems.add(r.name + ": Service " + name(svc) + " port " + p.get("port") + " carries gRPC but its appProtocol is "
                                + p.get("appProtocol") + " (kubernetes.io/h2c needed)");
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void everyDeploymentHasAPodDisruptionBudgetThatSelectsItsPodsAndAllowsADrain() {
        List<String> problems = new ArrayList<>();
        for (Render r : RENDERS.values()) {
            for (Map<String, Object> d : r.all("Deployment")) {
                String where = r.name + ": Deployment " + name(d);
                List<Map<String, Object>> pdbs = r.all("PodDisruptionBudget").stream()
                        .filter(p -> Objects.equals(namespace(p), namespace(d)))
                        .filter(p -> selects(map(at(p, "spec", "selector")), podLabels(d))).toList();
                if (pdbs.isEmpty()) {
                    problems.add(where + ": no PodDisruptionBudget selects its pods " + podLabels(d));
                }
                int fewest = r.hpaFor(d).map(h -> (Integer) map(h.get("spec")).getOrDefault("minReplicas", 1))
                        .orElse((Integer) map(d.get("spec")).getOrDefault("replicas", 1));
                for (Map<String, Object> pdb : pdbs) {
                    Object minAvailable = at(pdb, "spec", "minAvailable");
                    Object maxUnavailable = at(pdb, "spec", "maxUnavailable");
                    if ((minAvailable instanceof Integer min && min >= fewest)
                            || Objects.equals(maxUnavailable, 0) || "0%".equals(maxUnavailable) || "100%".equals(minAvailable)) {
                        problems.add(where + ": PodDisruptionBudget " + name(pdb) + " (minAvailable " + minAvailable + ", maxUnavailable "
                                + maxUnavailable + ") never lets a drain evict any of its " + fewest + " replica(s)");
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void queryServicesHaveAnAutoscalerTargetingTheirDeployment() {
        List<String> problems = new ArrayList<>();
        for (Render r : RENDERS.values()) {
            for (Map<String, Object> hpa : r.all("HorizontalPodAutoscaler")) {
                Map<String, Object> target = map(at(hpa, "spec", "scaleTargetRef"));
                if (!"Deployment".equals(target.get("kind")) || !"apps/v1".equals(target.get("apiVersion"))
                        || r.find("Deployment", (String) target.get("name"), namespace(hpa)).isEmpty()) {
                    problems.add(r.name + ": HorizontalPodAutoscaler " + name(hpa) + " targets " + target + ", no Deployment of the render");
                }
            }
            // the console too: stateless, so scaled like the query services
            for (String service : Stream.concat(QUERY_SERVICES.stream(), Stream.of(CONSOLE)).toList()) {
                Optional<Map<String, Object>> d = r.find("Deployment", service);
                Optional<Map<String, Object>> hpa = d.flatMap(r::hpaFor);
                if (hpa.isEmpty()) {
                    problems.add(r.name + ": no HorizontalPodAutoscaler targets Deployment " + service);
                    continue;
                }
                Map<String, Object> spec = map(hpa.get().get("spec"));
                int min = (Integer) spec.getOrDefault("minReplicas", 1);
                int max = (Integer) spec.get("maxReplicas");
                if (min < 1 || max < min) {
                    problems.add(r.name + ": HorizontalPodAutoscaler " + name(hpa.get()) + " bounds " + min + ".." + max);
                }
                if (map(d.get().get("spec")).containsKey("replicas")) {
                    problems.add(r.name + ": Deployment " + service + " sets replicas, which every apply would reset under its autoscaler");
                }
                for (Object m : list(spec.get("metrics"))) {
                    if ("cpu".equals(at(m, "resource", "name"))) {
                        for (Map<String, Object> c : containers(podSpec(d.get()))) {
                            if (at(c, "resources", "requests", "cpu") == null) {
                                problems.add(r.name + ": " + service + " scales on CPU utilisation, but container " + c.get("name")
                                        + " requests no CPU");
                            }
                        }
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void routesServiceRunsTwoReplicasRolledOneAtATimeKeptUpByItsBudgetAndIsNotAutoscaled() {
        // Router leases in the database let replicas share the routers (routes-service.yaml explains); a
        // rollout never leaves the BMP edge without a collector, and a drain evicts one pod at a time.
        List<String> problems = new ArrayList<>();
        for (Render r : RENDERS.values()) {
            Optional<Map<String, Object>> d = r.find("Deployment", ROUTES);
            if (d.isEmpty()) {
                problems.add(r.name + ": no Deployment " + ROUTES);
                continue;
            }
            if (!(at(d.get(), "spec", "replicas") instanceof Integer replicas && replicas >= 2)) {
                problems.add(r.name + ": " + ROUTES + " replicas " + at(d.get(), "spec", "replicas") + " (at least 2)");
            }
            if (!"RollingUpdate".equals(at(d.get(), "spec", "strategy", "type"))
                    || !Objects.equals(at(d.get(), "spec", "strategy", "rollingUpdate", "maxUnavailable"), 0)) {
                problems.add(r.name + ": " + ROUTES + " strategy " + at(d.get(), "spec", "strategy")
                        + " (RollingUpdate with maxUnavailable 0: a new pod is ready before an old one goes)");
            }
            List<Map<String, Object>> budgets = r.all("PodDisruptionBudget").stream()
                    .filter(pdb -> selects(map(at(pdb, "spec", "selector")), podLabels(d.get()))).toList();
            if (budgets.size() != 1 || !Objects.equals(at(budgets.get(0), "spec", "minAvailable"), 1)) {
                problems.add(r.name + ": " + ROUTES + " needs one PodDisruptionBudget with minAvailable 1, has "
                        + budgets.stream().map(b -> map(b.get("spec"))).toList());
            }
            r.hpaFor(d.get()).ifPresent(h -> problems.add(r.name + ": HorizontalPodAutoscaler " + name(h) + " scales " + ROUTES));
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void databaseConnectionsOfEveryReplicaFitInMaxConnections() {
        List<String> problems = new ArrayList<>();
        for (Render r : RENDERS.values()) {
            Optional<Map<String, Object>> db = r.find("Cluster", DATABASE);
            if (db.isEmpty()) {
                problems.add(r.name + ": no CloudNativePG Cluster " + DATABASE);
                continue;
            }
            Object setting = at(db.get(), "spec", "postgresql", "parameters", "max_connections");
            int maxConnections = setting == null ? 100 : Integer.parseInt(String.valueOf(setting));
            int usable = maxConnections - 3; // superuser_reserved_connections
            int total = 0;
            StringBuilder sum = new StringBuilder();
            for (Map<String, Object> d : r.all("Deployment")) {
                Optional<Module> module = Module.of(podLabels(d).get(NAME_LABEL));
                if (module.isEmpty() || !module.get().usesDatabase()) {
                    continue;
                }
                int replicas = r.hpaFor(d).map(h -> (Integer) at(h, "spec", "maxReplicas"))
                        .orElse((Integer) map(d.get("spec")).getOrDefault("replicas", 1));
                // a rolling update adds maxSurge (default 25%, rounded up) pods for a while
                int surge = "Recreate".equals(at(d, "spec", "strategy", "type")) ? 0 : (replicas + 3) / 4;
                Map<String, Object> c = containers(podSpec(d)).get(0);
                // with a read replica, one more to the primary: ReadPool's lag check has a connection of its own
                int perReplica = module.get().intSetting(c, "quarkus.datasource.reactive.max-size", 20)
                        + module.get().intSetting(c, "quarkus.datasource.jdbc.max-size", 20)
                        + (envValue(c, "PEERING_DB_READ_URL") == null ? 0 : 1);
                total += (replicas + surge) * perReplica;
                sum.append(String.format(" %s (%d+%d)x%d", name(d), replicas, surge, perReplica));
            }
            if (total > usable) {
                problems.add(r.name + ": the services may open " + total + " connections (" + sum.toString().trim() + ") but "
                        + DATABASE + " admits " + usable + " (max_connections " + maxConnections + " - 3 reserved)");
            }
        }
        assertThat(problems).isEmpty();
    }

    // ---------------------------------------------------------------- network policies

    @Test
    void namespaceDeniesIngressByDefault() {
        List<String> problems = new ArrayList<>();
        for (Render r : RENDERS.values()) {
            Set<String> namespaces = r.workloads().stream().map(RenderedManifestsTest::namespace).collect(Collectors.toSet());
            for (String ns : namespaces) {
                boolean denied = r.all("NetworkPolicy").stream().filter(p -> Objects.equals(namespace(p), ns))
                        .anyMatch(p -> map(at(p, "spec", "podSelector")).isEmpty()
                                && list(at(p, "spec", "policyTypes")).contains("Ingress")
                                && list(at(p, "spec", "ingress")).isEmpty());
                if (!denied) {
                    problems.add(r.name + ": namespace " + ns + " has no default-deny ingress NetworkPolicy");
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void bmpPortAdmitsOnlyTheRoutersAddressRanges() {
        List<String> problems = new ArrayList<>();
        Module routes = Module.of(ROUTES).orElseThrow();
        for (Render r : RENDERS.values()) {
            Map<String, Object> d = r.find("Deployment", ROUTES).orElseThrow();
            Map<String, Object> container = containers(podSpec(d)).get(0);
            Integer bmp = containerPort(container, "bmp");
            int configured = routes.intSetting(container, "peering.bmp.port", -1);
            if (bmp == null || bmp != configured) {
                problems.add(r.name + ": container port bmp " + bmp + ", but the collector listens on " + configured + " (peering.bmp.port)");
                continue;
            }
            Set<String> admitted = new LinkedHashSet<>();
            for (Map<String, Object> policy : r.policiesSelecting(d)) {
                for (Object o : list(at(policy, "spec", "ingress"))) {
                    Map<String, Object> rule = map(o);
                    if (!admits(rule, container, bmp)) {
                        continue;
                    }
                    String at = r.name + ": NetworkPolicy " + name(policy);
                    List<Object> from = list(rule.get("from"));
                    if (from.isEmpty()) {
                        problems.add(at + ": admits port " + bmp + " from anywhere (no from)");
                    }
                    for (Object peer : from) {
                        Map<String, Object> ipBlock = map(map(peer).get("ipBlock"));
                        String cidr = (String) ipBlock.get("cidr");
                        if (map(peer).size() != 1 || cidr == null) {
                            problems.add(at + ": admits port " + bmp + " from " + peer + " (only ipBlock ranges may reach BMP)");
                        } else if (cidr.endsWith("/0")) {
                            problems.add(at + ": admits port " + bmp + " from every address (" + cidr + ")");
                        } else {
                            admitted.add(cidr);
                        }
                    }
                    for (Object p : list(rule.get("ports"))) {
                        Integer port = policyPort(map(p), container);
                        if (port == null || port != (int) bmp || map(p).containsKey("endPort")
                                || !"TCP".equals(map(p).getOrDefault("protocol", "TCP"))) {
                            problems.add(at + ": the routers' rule also admits " + p + " (only TCP " + bmp + ")");
                        }
                    }
                }
            }
            if (admitted.isEmpty()) {
                problems.add(r.name + ": no NetworkPolicy admits the routers to port " + bmp);
            }
            Set<String> collectorAdmits = new LinkedHashSet<>();
            for (String range : routes.setting(container, "peering.bmp.allowed-sources", "").split(",")) {
                if (!range.isBlank()) {
                    collectorAdmits.add(range.trim());
                }
            }
            if (!collectorAdmits.equals(admitted)) {
                problems.add(r.name + ": the collector admits " + collectorAdmits + " (peering.bmp.allowed-sources) but the"
                        + " NetworkPolicy admits " + admitted + "; keep the two lists the same");
            }
            List<Map<String, Object>> loadBalancers = r.all("Service").stream()
                    .filter(s -> "LoadBalancer".equals(at(s, "spec", "type")) && r.workloadsSelectedBy(s).contains(d)).toList();
            if (loadBalancers.isEmpty()) {
                problems.add(r.name + ": no LoadBalancer Service exposes " + ROUTES + "'s BMP port");
            }
            for (Map<String, Object> lb : loadBalancers) {
                String at = r.name + ": Service " + name(lb);
                if (!"Local".equals(at(lb, "spec", "externalTrafficPolicy"))) {
                    problems.add(at + ": externalTrafficPolicy " + at(lb, "spec", "externalTrafficPolicy")
                            + " (Local keeps the routers' addresses, which the collector and the policy rely on)");
                }
                for (Object p : list(at(lb, "spec", "ports"))) {
                    Integer target = containerPort(container, map(p).getOrDefault("targetPort", map(p).get("port")));
                    if (!Objects.equals(target, bmp)) {
                        problems.add(at + ": port " + map(p).get("port") + " targets " + target + ", not BMP " + bmp);
                    }
                }
                Set<Object> ranges = new LinkedHashSet<>(list(at(lb, "spec", "loadBalancerSourceRanges")));
                if (!ranges.equals(admitted)) {
                    problems.add(at + ": loadBalancerSourceRanges " + ranges + " differ from the NetworkPolicy's ranges " + admitted);
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void databaseAdmitsTheFourServicesItsOwnInstancesAndTheOperatorOnly() {
        // CloudNativePG: the services on 5432; the instances replicate from each other on 5432; the operator
        // (namespace cnpg-system) reaches each instance manager's status port 8000 and PostgreSQL.
        List<String> problems = new ArrayList<>();
        for (Render r : RENDERS.values()) {
            Map<String, Object> db = r.find("Cluster", DATABASE).orElseThrow();
            Map<String, String> instanceLabels = podLabels(db);
            Set<String> reached = new LinkedHashSet<>();
            boolean replication = false;
            boolean operator = false;
            for (Map<String, Object> policy : r.policiesSelecting(db)) {
                for (Object o : list(at(policy, "spec", "ingress"))) {
                    Map<String, Object> rule = map(o);
                    String at = r.name + ": NetworkPolicy " + name(policy);
                    Set<Integer> ports = new LinkedHashSet<>();
                    for (Object p : list(rule.get("ports"))) {
                        if (!(map(p).get("port") instanceof Integer port) || map(p).containsKey("endPort")) {
                            problems.add(at + ": admits " + p + " on the database (numbered ports only)");
                            continue;
                        }
                        ports.add(port);
                    }
                    if (ports.isEmpty()) {
                        problems.add(at + ": admits every port of the database");
                    }
                    List<Object> from = list(rule.get("from"));
                    if (from.isEmpty()) {
                        problems.add(at + ": admits the database from anywhere (no from)");
                    }
                    for (Object peer : from) {
                        Map<String, Object> selector = map(map(peer).get("podSelector"));
                        Map<String, Object> namespaces = map(map(peer).get("namespaceSelector"));
                        if (!namespaces.isEmpty()) {
                            boolean isOperator = Objects.equals(map(namespaces.get("matchLabels")),
                                    Map.of("kubernetes.io/metadata.name", "cnpg-system"))
                                    && Objects.equals(map(selector.get("matchLabels")), Map.of(NAME_LABEL, "cloudnative-pg"));
                            if (!isOperator || !Set.of(5432, 8000).containsAll(ports)) {
                                problems.add(at + ": admits " + peer + " on " + ports + " (from another namespace: only the"
                                        + " CloudNativePG operator, on 8000 and 5432)");
                            }
                            operator |= isOperator && ports.contains(8000);
                            continue;
                        }
                        if (!map(peer).containsKey("podSelector") || map(peer).size() != 1) {
                            problems.add(at + ": admits the database from " + peer + " (only pods of this namespace, by podSelector)");
                            continue;
                        }
                        if (!ports.equals(Set.of(5432))) {
                            problems.add(at + ": admits pods " + selector + " on " + ports + " (only TCP 5432)");
                        }
                        if (selects(selector, instanceLabels)) {
                            replication = true;
                            if (!Objects.equals(map(selector.get("matchLabels")), instanceLabels)) {
                                problems.add(at + ": podSelector " + selector + " is wider than the database's own instances");
                            }
                            continue;
                        }
                        Set<String> names = selectedNames(selector);
                        if (names == null || !SERVICES.containsAll(names)) {
                            problems.add(at + ": podSelector " + selector + " is not limited to " + NAME_LABEL + " in " + SERVICES);
                        }
                        for (Map<String, Object> w : r.workloads()) {
                            if (Objects.equals(namespace(w), namespace(policy)) && selects(selector, podLabels(w))) {
                                String name = podLabels(w).get(NAME_LABEL);
                                if (!SERVICES.contains(name)) {
                                    problems.add(at + ": podSelector " + selector + " admits " + kind(w) + " " + name(w));
                                }
                                reached.add(name);
                            }
                        }
                    }
                }
            }
            for (String service : SERVICES) {
                if (!reached.contains(service)) {
                    problems.add(r.name + ": " + service + " cannot reach the database (no NetworkPolicy admits it)");
                }
            }
            if (!replication) {
                problems.add(r.name + ": the database's instances cannot reach each other on 5432 (streaming replication)");
            }
            if (!operator) {
                problems.add(r.name + ": the CloudNativePG operator cannot reach the instances' status port 8000");
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void databaseIsACloudNativePgClusterWithTimescaleDbAReplicaAndTheServicesOwnerAndExtension() {
        List<String> problems = new ArrayList<>();
        Map<String, String> documented;
        try {
            documented = documentedSecretCommands();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        for (Render r : RENDERS.values()) {
            Map<String, Object> db = r.find("Cluster", DATABASE).orElseThrow();
            String at = r.name + ": Cluster " + DATABASE;
            if (!"postgresql.cnpg.io/v1".equals(db.get("apiVersion"))) {
                problems.add(at + ": apiVersion " + db.get("apiVersion") + " (postgresql.cnpg.io/v1)");
            }
            if (!list(at(db, "spec", "postgresql", "shared_preload_libraries")).contains("timescaledb")) {
                problems.add(at + ": timescaledb is not in shared_preload_libraries");
            }
            if (!"apache".equals(at(db, "spec", "postgresql", "parameters", "timescaledb.license"))) {
                problems.add(at + ": timescaledb.license is not apache (only Apache-licensed features are used)");
            }
            if (!list(at(db, "spec", "bootstrap", "initdb", "postInitApplicationSQL")).stream()
                    .anyMatch(sql -> String.valueOf(sql).matches("(?i)CREATE EXTENSION (IF NOT EXISTS )?timescaledb.*"))) {
                problems.add(at + ": bootstrap does not create the timescaledb extension in the application database");
            }
            if (!"peering".equals(at(db, "spec", "bootstrap", "initdb", "database"))) {
                problems.add(at + ": bootstrap database " + at(db, "spec", "bootstrap", "initdb", "database") + " (the services use peering)");
            }
            if ("production".equals(r.name) && !(at(db, "spec", "instances") instanceof Integer n && n >= 2)) {
                problems.add(at + ": production runs " + at(db, "spec", "instances") + " instance(s): no replica to fail over to");
            }
            if ("production".equals(r.name) && at(db, "spec", "backup", "barmanObjectStore", "destinationPath") == null) {
                problems.add(at + ": production has no backup object store");
            }
            if ("production".equals(r.name) && r.all("ScheduledBackup").stream()
                    .noneMatch(b -> DATABASE.equals(at(b, "spec", "cluster", "name")))) {
                problems.add(r.name + ": no ScheduledBackup of " + DATABASE);
            }
            // the owner's credentials: a Secret the render holds under exactly this name (kustomize does not rewrite
            // a generated Secret's hashed name inside a custom resource), or a documented external one
            String owner = (String) at(db, "spec", "bootstrap", "initdb", "secret", "name");
            checkRef(r, problems, documented, at + " bootstrap owner", "Secret", owner, namespace(db), List.of("username", "password"), null);
            r.find("Secret", owner, namespace(db)).ifPresent(secret -> {
                if (!"kubernetes.io/basic-auth".equals(secret.get("type"))) {
                    problems.add(at + ": Secret " + owner + " is of type " + secret.get("type") + " (kubernetes.io/basic-auth)");
                }
            });
            for (String key : List.of("accessKeyId", "secretAccessKey")) {
                Map<String, Object> ref = map(at(db, "spec", "backup", "barmanObjectStore", "s3Credentials", key));
                if (!ref.isEmpty()) {
                    checkRef(r, problems, documented, at + " backup " + key, "Secret", (String) ref.get("name"), namespace(db),
                            List.of((String) ref.get("key")), null);
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void everyServiceGrpcPortIsReachableFromInsideTheClusterOnly() {
        List<String> problems = new ArrayList<>();
        for (Render r : RENDERS.values()) {
            for (String service : SERVICES) {
                Map<String, Object> d = r.find("Deployment", service).orElseThrow();
                Map<String, Object> c = containers(podSpec(d)).get(0);
                int grpc = Module.of(service).orElseThrow().grpcPort(c);
                boolean reachable = false;
                for (Map<String, Object> policy : r.policiesSelecting(d)) {
                    for (Object o : list(at(policy, "spec", "ingress"))) {
                        Map<String, Object> rule = map(o);
                        if (!admits(rule, c, grpc)) {
                            continue;
                        }
                        List<Object> from = list(rule.get("from"));
                        if (from.isEmpty() || from.stream().anyMatch(p -> map(p).containsKey("ipBlock"))) {
                            problems.add(r.name + ": NetworkPolicy " + name(policy) + " admits " + service + "'s gRPC port " + grpc
                                    + " from addresses outside the cluster: " + (from.isEmpty() ? "anywhere" : from));
                        } else {
                            reachable = true;
                        }
                    }
                }
                if (!reachable) {
                    problems.add(r.name + ": no NetworkPolicy admits in-cluster callers (the gateway) to " + service + " port " + grpc);
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    // ---------------------------------------------------------------- the console

    @Test
    void everyHttpRouteLeadsBrowsersToTheConsolesHttpPortOnAListenerOfItsOwn() {
        List<String> problems = new ArrayList<>();
        for (Render r : RENDERS.values()) {
            Map<String, Object> console = r.find("Deployment", CONSOLE).orElseThrow();
            Map<String, Object> c = containers(podSpec(console)).get(0);
            int http = Module.of(CONSOLE).orElseThrow().httpPort(c);
            boolean reached = false;
            for (Map<String, Object> route : r.all("HTTPRoute")) {
                String where = r.name + ": HTTPRoute " + name(route);
                List<Object> parents = list(at(route, "spec", "parentRefs"));
                if (parents.isEmpty()) {
                    problems.add(where + ": no parentRefs (attached to no Gateway)");
                }
                for (Object p : parents) {
                    List<Map<String, Object>> listeners = r.listenersOf(route, map(p));
                    if (listeners.isEmpty()) {
                        problems.add(where + ": parentRef " + p + " is no listener of a Gateway of the render that admits HTTPRoutes");
                    }
                    for (Map<String, Object> l : listeners) {
                        for (Map<String, Object> grpc : r.all("GRPCRoute")) {
                            for (Object gp : list(at(grpc, "spec", "parentRefs"))) {
                                if (r.listenersOf(grpc, map(gp)).contains(l)) {
                                    problems.add(where + ": shares listener " + l.get("name") + " with GRPCRoute " + name(grpc)
                                            + "; the Gateway API accepts only the first of the two (GEP-1016)");
                                }
                            }
                        }
                    }
                }
                for (Object o : list(at(route, "spec", "rules"))) {
                    for (Object b : list(map(o).get("backendRefs"))) {
                        Map<String, Object> ref = map(b);
                        String at = where + " backendRef " + ref.get("name") + ":" + ref.get("port");
                        if (!"Service".equals(ref.getOrDefault("kind", "Service")) || !"".equals(ref.getOrDefault("group", ""))) {
                            problems.add(at + ": not a core Service");
                            continue;
                        }
                        Optional<Map<String, Object>> svc = r.find("Service", (String) ref.get("name"),
                                (String) ref.getOrDefault("namespace", namespace(route)));
                        Optional<Map<String, Object>> port = svc.flatMap(s -> list(at(s, "spec", "ports")).stream()
                                .map(RenderedManifestsTest::map).filter(sp -> Objects.equals(sp.get("port"), ref.get("port"))).findFirst());
                        if (port.isEmpty()) {
                            problems.add(at + ": no such Service and port in the render");
                            continue;
                        }
                        List<Map<String, Object>> pods = r.workloadsSelectedBy(svc.get());
                        if (!pods.equals(List.of(console))) {
                            problems.add(at + ": leads browsers to " + pods.stream().map(w -> kind(w) + " " + name(w)).toList()
                                    + "; only Deployment " + CONSOLE + " serves them");
                            continue;
                        }
                        Integer target = containerPort(c, port.get().getOrDefault("targetPort", port.get().get("port")));
                        if (!Objects.equals(target, http)) {
                            problems.add(at + ": reaches container port " + target + ", but the console listens on " + http
                                    + " (quarkus.http.port)");
                        } else {
                            reached = true;
                        }
                    }
                }
            }
            if (!reached) {
                problems.add(r.name + ": no HTTPRoute leads to the console's HTTP port " + http);
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void everyConsolePathIsRoutedWithATimeoutThatSuitsIt() {
        // Pages and API calls: the gateway must wait longer than the console's own call deadline, so the
        // person reads the console's words rather than a gateway error (Envoy's default route timeout is
        // 15 s, the same as that deadline). Live events: no request timeout at all ("0s"), or the gateway
        // cuts them (Envoy: every 15 s).
        List<String> problems = new ArrayList<>();
        for (Render r : RENDERS.values()) {
            Map<String, Object> console = r.find("Deployment", CONSOLE).orElseThrow();
            Map<String, Object> c = containers(podSpec(console)).get(0);
            Duration deadline = duration(Optional.ofNullable(Module.of(CONSOLE).orElseThrow()
                    .resolved(c, "peering.console.call-deadline")).orElse("PT15S"));
            List<String> paths = Stream.concat(CONSOLE_PATHS.stream(), Stream.of(CONSOLE_EVENTS_PATH)).toList();
            for (String path : paths) {
                Optional<Map<String, Object>> rule = r.httpRuleFor(path);
                if (rule.isEmpty()) {
                    problems.add(r.name + ": no HTTPRoute rule routes " + path);
                    continue;
                }
                Object timeout = at(rule.get(), "timeouts", "request");
                if (path.equals(CONSOLE_EVENTS_PATH)) {
                    if (timeout == null || !duration(timeout.toString()).isZero()) {
                        problems.add(r.name + ": " + path + " (server-sent events) has request timeout " + timeout
                                + "; \"0s\" keeps the stream open as long as the page");
                    }
                } else if (timeout == null || duration(timeout.toString()).isZero()
                        || duration(timeout.toString()).compareTo(deadline) <= 0) {
                    problems.add(r.name + ": " + path + " has request timeout " + timeout + "; it must be set and longer than the"
                            + " console's call deadline " + deadline + " (peering.console.call-deadline)");
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void theConsoleIsServedOverTlsInProductionAndToldSoForASecureCookie() {
        // The console marks its session cookie Secure when the request says X-Forwarded-Proto: https. On an
        // HTTPS listener the route says so; on a plain-HTTP listener it must not (a Secure cookie is never
        // sent back over http, so sign-in would not stick).
        List<String> problems = new ArrayList<>();
        for (Render r : RENDERS.values()) {
            Map<String, Object> console = r.find("Deployment", CONSOLE).orElseThrow();
            for (Map<String, Object> route : r.all("HTTPRoute")) {
                if (!r.routeBacksOnto(route, console)) {
                    continue;
                }
                String where = r.name + ": HTTPRoute " + name(route);
                Set<String> protocols = new LinkedHashSet<>();
                for (Object p : list(at(route, "spec", "parentRefs"))) {
                    for (Map<String, Object> l : r.listenersOf(route, map(p))) {
                        protocols.add(String.valueOf(l.get("protocol")));
                        if ("HTTPS".equals(l.get("protocol")) && (!"Terminate".equals(at(l, "tls", "mode"))
                                || list(at(l, "tls", "certificateRefs")).isEmpty())) {
                            problems.add(where + ": HTTPS listener " + l.get("name") + " does not terminate TLS with a certificate: "
                                    + l.get("tls"));
                        }
                    }
                }
                if (r.name.equals("production") && !protocols.equals(Set.of("HTTPS"))) {
                    problems.add(where + ": production serves the console over " + protocols + "; only HTTPS keeps the session"
                            + " token off the wire and its cookie Secure");
                }
                for (Object o : list(at(route, "spec", "rules"))) {
                    String proto = forwardedProto(map(o));
                    if (protocols.equals(Set.of("HTTPS")) && !"https".equals(proto)) {
                        problems.add(where + " rule " + map(o).get("matches") + ": on HTTPS, but X-Forwarded-Proto is set to " + proto
                                + " (a RequestHeaderModifier setting it to https makes the session cookie Secure)");
                    }
                    if (protocols.contains("HTTP") && "https".equals(proto)) {
                        problems.add(where + " rule " + map(o).get("matches") + ": says X-Forwarded-Proto https on plain-HTTP listeners"
                                + " (the browser would never send the Secure cookie back)");
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void browsersReachTheConsoleOnlyThroughTheGateway() {
        List<String> problems = new ArrayList<>();
        for (Render r : RENDERS.values()) {
            Map<String, Object> console = r.find("Deployment", CONSOLE).orElseThrow();
            Map<String, Object> c = containers(podSpec(console)).get(0);
            int http = Module.of(CONSOLE).orElseThrow().httpPort(c);
            for (Map<String, Object> svc : r.all("Service")) {
                if (!r.workloadsSelectedBy(svc).contains(console)) {
                    continue;
                }
                String type = (String) Optional.ofNullable(at(svc, "spec", "type")).orElse("ClusterIP");
                if (!"ClusterIP".equals(type) || !list(at(svc, "spec", "externalIPs")).isEmpty()) {
                    problems.add(r.name + ": Service " + name(svc) + " (type " + type + ", externalIPs " + at(svc, "spec", "externalIPs")
                            + ") exposes the console outside the cluster, around the gateway");
                }
            }
            for (Map<String, Object> ingress : r.all("Ingress")) {
                problems.add(r.name + ": Ingress " + name(ingress) + ": browsers come through the Gateway's HTTPRoute, nothing else");
            }
            boolean admitted = false;
            for (Map<String, Object> policy : r.policiesSelecting(console)) {
                for (Object o : list(at(policy, "spec", "ingress"))) {
                    Map<String, Object> rule = map(o);
                    String at = r.name + ": NetworkPolicy " + name(policy);
                    List<Object> ports = list(rule.get("ports"));
                    if (ports.isEmpty()) {
                        problems.add(at + ": admits every port of the console (only TCP " + http + ")");
                    }
                    for (Object p : ports) {
                        Integer port = policyPort(map(p), c);
                        if (port == null || port != http || map(p).containsKey("endPort")
                                || !"TCP".equals(map(p).getOrDefault("protocol", "TCP"))) {
                            problems.add(at + ": admits " + p + " on the console (only TCP " + http + ")");
                        }
                    }
                    List<Object> from = list(rule.get("from"));
                    if (from.isEmpty() || from.stream().anyMatch(peer -> map(peer).containsKey("ipBlock"))) {
                        problems.add(at + ": admits the console from addresses outside the cluster: " + (from.isEmpty() ? "anywhere" : from)
                                + "; browsers come through the gateway");
                    } else if (admits(rule, c, http)) {
                        admitted = true;
                    }
                }
            }
            if (!admitted) {
                problems.add(r.name + ": no NetworkPolicy admits the gateway (in-cluster) to the console's port " + http);
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void theConsoleCallsEachServiceAtItsGrpcPortAndItsPolicyAdmitsTheConsole() {
        Map<String, String> clients = consoleGrpcClients();
        assertThat(clients).as("@GrpcClient stubs in console/src/main/java").isNotEmpty();
        List<String> problems = new ArrayList<>();
        Module module = Module.of(CONSOLE).orElseThrow();
        for (Render r : RENDERS.values()) {
            Map<String, Object> console = r.find("Deployment", CONSOLE).orElseThrow();
            Map<String, Object> c = containers(podSpec(console)).get(0);
            for (Map.Entry<String, String> client : clients.entrySet()) {
                String at = r.name + ": console client " + client.getKey() + " (" + client.getValue() + ")";
                Optional<Module> implementing = Module.implementing(client.getValue());
                Optional<Map<String, Object>> target = implementing.flatMap(m -> r.find("Deployment", m.name()));
                if (target.isEmpty()) {
                    problems.add(at + ": no Deployment of the render implements it");
                    continue;
                }
                String host = module.resolved(c, "quarkus.grpc.clients." + client.getKey() + ".host");
                String port = module.resolved(c, "quarkus.grpc.clients." + client.getKey() + ".port");
                Integer grpcPort = checkServiceAddress(r, problems, at + " " + host + ":" + port, host, port, target.get());
                if (grpcPort == null) {
                    continue;
                }
                boolean admitted = r.policiesSelecting(target.get()).stream()
                        .flatMap(p -> list(at(p, "spec", "ingress")).stream().map(rule -> Map.entry(p, map(rule))))
                        .anyMatch(e -> admits(e.getValue(), containers(podSpec(target.get())).get(0), grpcPort)
                                && list(e.getValue().get("from")).stream().anyMatch(peer -> admitsPod(map(peer), namespace(e.getKey()),
                                namespace(console), podLabels(console))));
                if (!admitted) {
                    problems.add(at + ": no NetworkPolicy of " + name(target.get()) + " admits the console's pods to port " + grpcPort);
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void theConsoleHoldsNoCredentialOfItsOwn() {
        // It forwards the signed-in person's token and never widens what they see: no service token, no key.
        List<String> problems = new ArrayList<>();
        for (Render r : RENDERS.values()) {
            Map<String, Object> console = r.find("Deployment", CONSOLE).orElseThrow();
            Map<String, Object> spec = podSpec(console);
            for (Map<String, Object> v : volumesByName(spec).values()) {
                boolean secret = v.containsKey("secret") || list(at(v, "projected", "sources")).stream()
                        .anyMatch(s -> map(s).containsKey("secret") || map(s).containsKey("serviceAccountToken"));
                if (secret) {
                    problems.add(r.name + ": console volume " + v.get("name") + " brings a Secret or token into the pod");
                }
            }
            if (!Boolean.FALSE.equals(spec.get("automountServiceAccountToken"))) {
                problems.add(r.name + ": console mounts its service account token (automountServiceAccountToken is not false)");
            }
            for (Map<String, Object> c : allContainers(spec)) {
                for (Object e : list(c.get("env"))) {
                    if (map(at(e, "valueFrom", "secretKeyRef")).size() > 0) {
                        problems.add(r.name + ": console env " + map(e).get("name") + " comes from a Secret");
                    }
                }
                for (Object e : list(c.get("envFrom"))) {
                    if (map(e).containsKey("secretRef")) {
                        problems.add(r.name + ": console envFrom " + map(e).get("secretRef") + " brings a Secret into the pod");
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    // ---------------------------------------------------------------- references and configuration

    @Test
    void everyConfigMapSecretAndVolumeAPodReferencesExists() throws IOException {
        Map<String, String> documented = documentedSecretCommands();
        List<String> problems = new ArrayList<>();
        for (Render r : RENDERS.values()) {
            for (Map<String, Object> w : r.workloads()) {
                String where = r.name + ": " + kind(w) + " " + name(w);
                Map<String, Object> spec = podSpec(w);
                String ns = namespace(w);
                Map<String, Map<String, Object>> volumes = volumesByName(spec);
                Set<String> claimTemplates = list(at(w, "spec", "volumeClaimTemplates")).stream()
                        .map(t -> (String) at(t, "metadata", "name")).collect(Collectors.toSet());
                for (Map<String, Object> v : volumes.values()) {
                    Map<String, Object> cm = map(v.get("configMap"));
                    Map<String, Object> secret = map(v.get("secret"));
                    if (!cm.isEmpty()) {
                        checkRef(r, problems, documented, where + " volume " + v.get("name"), "ConfigMap", (String) cm.get("name"), ns,
                                keys(cm.get("items")), cm.get("optional"));
                    }
                    if (!secret.isEmpty()) {
                        checkRef(r, problems, documented, where + " volume " + v.get("name"), "Secret", (String) secret.get("secretName"), ns,
                                keys(secret.get("items")), secret.get("optional"));
                    }
                    for (Object source : list(at(v, "projected", "sources"))) {
                        for (String kind : List.of("configMap", "secret")) {
                            Map<String, Object> ref = map(map(source).get(kind));
                            if (!ref.isEmpty()) {
                                checkRef(r, problems, documented, where + " volume " + v.get("name"), kind.equals("secret") ? "Secret" : "ConfigMap",
                                        (String) ref.get("name"), ns, keys(ref.get("items")), ref.get("optional"));
                            }
                        }
                    }
                    Map<String, Object> pvc = map(v.get("persistentVolumeClaim"));
                    if (!pvc.isEmpty() && r.find("PersistentVolumeClaim", (String) pvc.get("claimName"), ns).isEmpty()) {
                        problems.add(where + " volume " + v.get("name") + ": no PersistentVolumeClaim " + pvc.get("claimName"));
                    }
                }
                for (Map<String, Object> c : allContainers(spec)) {
                    String at = where + " container " + c.get("name");
                    for (Object o : list(c.get("volumeMounts"))) {
                        Map<String, Object> mount = map(o);
                        String volume = (String) mount.get("name");
                        if (!volumes.containsKey(volume) && !claimTemplates.contains(volume)) {
                            problems.add(at + ": mounts volume " + volume + ", which the pod does not have");
                        } else if (mount.get("subPath") != null && volumes.containsKey(volume)) {
                            Map<String, Object> cm = map(volumes.get(volume).get("configMap"));
                            if (!cm.isEmpty()) {
                                checkRef(r, problems, documented, at + " mount " + mount.get("mountPath"), "ConfigMap", (String) cm.get("name"),
                                        ns, List.of((String) mount.get("subPath")), cm.get("optional"));
                            }
                        }
                    }
                    for (Object o : list(c.get("env"))) {
                        Map<String, Object> from = map(map(o).get("valueFrom"));
                        Map<String, Object> cm = map(from.get("configMapKeyRef"));
                        Map<String, Object> secret = map(from.get("secretKeyRef"));
                        if (!cm.isEmpty()) {
                            checkRef(r, problems, documented, at + " env " + map(o).get("name"), "ConfigMap", (String) cm.get("name"), ns,
                                    List.of((String) cm.get("key")), cm.get("optional"));
                        }
                        if (!secret.isEmpty()) {
                            checkRef(r, problems, documented, at + " env " + map(o).get("name"), "Secret", (String) secret.get("name"), ns,
                                    List.of((String) secret.get("key")), secret.get("optional"));
                        }
                    }
                    for (Object o : list(c.get("envFrom"))) {
                        Map<String, Object> cm = map(map(o).get("configMapRef"));
                        Map<String, Object> secret = map(map(o).get("secretRef"));
                        if (!cm.isEmpty()) {
                            checkRef(r, problems, documented, at + " envFrom", "ConfigMap", (String) cm.get("name"), ns, List.of(), cm.get("optional"));
                        }
                        if (!secret.isEmpty()) {
                            checkRef(r, problems, documented, at + " envFrom", "Secret", (String) secret.get("name"), ns, List.of(), secret.get("optional"));
                        }
                    }
                }
            }
            for (Map<String, Object> gateway : r.all("Gateway")) {
                for (Object l : list(at(gateway, "spec", "listeners"))) {
                    for (Object ref : list(at(l, "tls", "certificateRefs"))) {
                        checkRef(r, problems, documented, r.name + ": Gateway " + name(gateway) + " listener " + map(l).get("name"), "Secret",
                                (String) map(ref).get("name"), (String) map(ref).getOrDefault("namespace", namespace(gateway)),
                                List.of("tls.crt", "tls.key"), null);
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void everyServiceReadsTheInventoryMountedFromTheInventoryConfigMap() throws IOException {
        String sample = Files.readString(REPO.resolve("deploy/inventory/sample-inventory.yaml"));
        List<String> problems = new ArrayList<>();
        for (Render r : RENDERS.values()) {
            boolean replaced = Files.readString(K8S.resolve("overlays").resolve(r.name).resolve("kustomization.yaml"))
                    .contains("peering-inventory");
            for (String service : SERVICES) {
                Map<String, Object> d = r.find("Deployment", service).orElseThrow();
                Map<String, Object> c = containers(podSpec(d)).get(0);
                String at = r.name + ": " + service;
                String path = envValue(c, "PEERING_INVENTORY");
                Module module = Module.of(service).orElseThrow();
                if (!module.consumes("PEERING_INVENTORY")) {
                    problems.add(at + ": its application.properties does not read PEERING_INVENTORY");
                }
                if (path == null) {
                    problems.add(at + ": PEERING_INVENTORY is not set (the default is a path in the source tree)");
                    continue;
                }
                Optional<Map<String, Object>> mount = list(c.get("volumeMounts")).stream().map(RenderedManifestsTest::map)
                        .filter(m -> path.startsWith(m.get("mountPath") + "/")).findFirst();
                if (mount.isEmpty()) {
                    problems.add(at + ": nothing is mounted where PEERING_INVENTORY=" + path + " points");
                    continue;
                }
                String key = path.substring(((String) mount.get().get("mountPath")).length() + 1);
                Map<String, Object> volume = volumesByName(podSpec(d)).getOrDefault((String) mount.get().get("name"), Map.of());
                String configMap = (String) at(volume, "configMap", "name");
                Optional<Map<String, Object>> cm = configMap == null ? Optional.empty() : r.find("ConfigMap", configMap, namespace(d));
                if (cm.isEmpty()) {
                    problems.add(at + ": the inventory mount is no ConfigMap of the render: " + volume);
                    continue;
                }
                Object data = at(cm.get(), "data", key);
                if (!(data instanceof String text)) {
                    problems.add(at + ": ConfigMap " + configMap + " has no key " + key);
                    continue;
                }
                if (!replaced && !text.equals(sample)) {
                    problems.add(at + ": ConfigMap " + configMap + " is not deploy/inventory/sample-inventory.yaml");
                }
                Object inventory = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
                if (list(at(inventory, "inventory", "peerings")).isEmpty()) {
                    problems.add(at + ": ConfigMap " + configMap + " key " + key + " has no inventory.peerings");
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void everyServiceVerifiesTokensWithThePublicKeyFromItsSecretAndCallersSendTheServiceToken() {
        List<String> problems = new ArrayList<>();
        for (Render r : RENDERS.values()) {
            for (String service : SERVICES) {
                Map<String, Object> d = r.find("Deployment", service).orElseThrow();
                Map<String, Object> c = containers(podSpec(d)).get(0);
                String at = r.name + ": " + service;
                if (!"true".equals(envValue(c, "PEERING_AUTH_ENABLED"))) {
                    problems.add(at + ": PEERING_AUTH_ENABLED is " + envValue(c, "PEERING_AUTH_ENABLED"));
                }
                if (!"/etc/peering/jwt/public-key.pem".equals(envValue(c, "PEERING_AUTH_PUBLIC_KEY"))) {
                    problems.add(at + ": PEERING_AUTH_PUBLIC_KEY is " + envValue(c, "PEERING_AUTH_PUBLIC_KEY"));
                }
                Optional<Map<String, Object>> mount = list(c.get("volumeMounts")).stream().map(RenderedManifestsTest::map)
                        .filter(m -> "/etc/peering/jwt".equals(m.get("mountPath"))).findFirst();
                Map<String, Object> secret = mount.map(m -> map(volumesByName(podSpec(d)).getOrDefault((String) m.get("name"), Map.of())
                        .get("secret"))).orElse(Map.of());
                if (mount.isEmpty() || !Boolean.TRUE.equals(mount.get().get("readOnly")) || !"peering-jwt-public-key".equals(secret.get("secretName"))
                        || !(keys(secret.get("items")).isEmpty() || keys(secret.get("items")).contains("public-key.pem"))) {
                    problems.add(at + ": no read-only mount of Secret peering-jwt-public-key (public-key.pem) at /etc/peering/jwt");
                }
                boolean callsRoutes = envValue(c, "PEERING_ROUTES_HOST") != null;
                Map<String, Object> token = env(c, "PEERING_ROUTES_TOKEN").map(e -> map(at(e, "valueFrom", "secretKeyRef"))).orElse(Map.of());
                if (callsRoutes && !("peering-service-token".equals(token.get("name")) && "token".equals(token.get("key")))) {
                    problems.add(at + ": calls routes-service without PEERING_ROUTES_TOKEN from Secret peering-service-token key token");
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void everyServiceAddressInTheEnvironmentIsAServiceOfTheRender() {
        List<String> problems = new ArrayList<>();
        for (Render r : RENDERS.values()) {
            for (String service : SERVICES) {
                Map<String, Object> d = r.find("Deployment", service).orElseThrow();
                Map<String, Object> c = containers(podSpec(d)).get(0);
                // CloudNativePG's Services of Cluster timescaledb: timescaledb-rw (the primary), timescaledb-ro (replicas)
                String at = r.name + ": " + service;
                if (!(DATABASE + "-rw").equals(envValue(c, "PEERING_DB_HOST")) || !"5432".equals(envValue(c, "PEERING_DB_PORT"))) {
                    problems.add(at + ": PEERING_DB_HOST/PORT " + envValue(c, "PEERING_DB_HOST") + ":" + envValue(c, "PEERING_DB_PORT")
                            + " is not the database's primary, " + DATABASE + "-rw:5432");
                }
                if (!("postgresql://" + DATABASE + "-ro:5432/peering").equals(envValue(c, "PEERING_DB_READ_URL"))) {
                    problems.add(at + ": PEERING_DB_READ_URL " + envValue(c, "PEERING_DB_READ_URL") + " is not the database's replicas, "
                            + "postgresql://" + DATABASE + "-ro:5432/peering");
                }
                if (envValue(c, "PEERING_ROUTES_HOST") != null) {
                    checkAddress(r, problems, service, c, "PEERING_ROUTES_HOST", "PEERING_ROUTES_PORT", r.find("Deployment", ROUTES).orElseThrow());
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void everyVariableSetOnAServiceIsReadByItsConfiguration() {
        List<String> problems = new ArrayList<>();
        for (Render r : RENDERS.values()) {
            for (String service : Stream.concat(SERVICES.stream(), Stream.of(CONSOLE)).toList()) {
                Module module = Module.of(service).orElseThrow();
                for (Object e : list(containers(podSpec(r.find("Deployment", service).orElseThrow())).get(0).get("env"))) {
                    String name = (String) map(e).get("name");
                    boolean notLanded = NOT_LANDED_YET.contains(name)
                            && SERVICES.stream().noneMatch(other -> Module.of(other).orElseThrow().consumes(name));
                    if (!module.consumes(name) && !notLanded) {
                        problems.add(r.name + ": " + service + " gets " + name + ", which its application.properties never reads");
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    // ---------------------------------------------------------------- checks shared by tests

    private static void checkAddress(Render r, List<String> problems, String service, Map<String, Object> c, String hostVar,
                                     String portVar, Map<String, Object> target) {
        String at = r.name + ": " + service + " " + hostVar + "/" + portVar;
        Module module = Module.of(service).orElseThrow();
        if (!module.consumes(hostVar) || !module.consumes(portVar)) {
            problems.add(at + ": not read by its application.properties");
        }
        checkServiceAddress(r, problems, at, envValue(c, hostVar), envValue(c, portVar), target);
    }

    /**
     * Whether host:port is a Service of the render in front of the target workload, reaching its gRPC port when the
     * target is a service module; returns the container port reached, or null after adding the problem.
     */
    private static Integer checkServiceAddress(Render r, List<String> problems, String at, String host, String port,
                                               Map<String, Object> target) {
        Optional<Map<String, Object>> svc = host == null ? Optional.empty() : r.find("Service", host, namespace(target));
        if (svc.isEmpty() || !r.workloadsSelectedBy(svc.get()).contains(target)) {
            problems.add(at + ": " + host + " is no Service of the render in front of " + kind(target) + " " + name(target));
            return null;
        }
        Optional<Map<String, Object>> servicePort = list(at(svc.get(), "spec", "ports")).stream().map(RenderedManifestsTest::map)
                .filter(p -> String.valueOf(p.get("port")).equals(port)).findFirst();
        if (servicePort.isEmpty()) {
            problems.add(at + ": Service " + host + " has no port " + port);
            return null;
        }
        Map<String, Object> targetContainer = containers(podSpec(target)).get(0);
        Integer containerPort = containerPort(targetContainer, servicePort.get().getOrDefault("targetPort", servicePort.get().get("port")));
        Optional<Module> targetModule = Module.of(podLabels(target).get(NAME_LABEL));
        if (targetModule.isPresent() && !Objects.equals(containerPort, targetModule.get().grpcPort(targetContainer))) {
            problems.add(at + ": port " + port + " reaches container port " + containerPort + ", not " + name(target) + "'s gRPC port");
            return null;
        }
        return containerPort;
    }

    /** Whether a NetworkPolicy peer (from) matches a pod of the given namespace and labels; ipBlocks never name pods. */
    static boolean admitsPod(Map<String, Object> peer, String policyNamespace, String podNamespace, Map<String, String> podLabels) {
        if (peer.containsKey("ipBlock")) {
            return false;
        }
        boolean namespaceOk = peer.containsKey("namespaceSelector")
                ? selects(map(peer.get("namespaceSelector")), Map.of("kubernetes.io/metadata.name", String.valueOf(podNamespace)))
                : Objects.equals(policyNamespace, podNamespace);
        boolean podOk = !peer.containsKey("podSelector") || selects(map(peer.get("podSelector")), podLabels);
        return namespaceOk && podOk;
    }

    /** The console's gRPC clients: client name (quarkus.grpc.clients.NAME) -> the proto service its stub calls. */
    static Map<String, String> consoleGrpcClients() {
        Map<String, String> clients = new TreeMap<>();
        Set<String> known = protoServices().keySet();
        Pattern client = Pattern.compile("@GrpcClient\\(\\s*\"([\\w-]+)\"\\s*\\)\\s*(?:[\\w.]+\\.)?Mutiny(\\w+)Grpc\\.");
        try (Stream<Path> files = Files.walk(REPO.resolve(CONSOLE).resolve("src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = client.matcher(Files.readString(f));
                while (m.find()) {
                    String simple = m.group(2);
                    clients.put(m.group(1), known.stream().filter(fq -> fq.endsWith("." + simple)).findFirst().orElse(simple));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return clients;
    }

    /** The value a RequestHeaderModifier of the rule sets (or adds) for X-Forwarded-Proto; null when none does. */
    static String forwardedProto(Map<String, Object> rule) {
        String value = null;
        for (Object f : list(rule.get("filters"))) {
            if (!"RequestHeaderModifier".equals(map(f).get("type"))) {
                continue;
            }
            for (String op : List.of("add", "set")) {
                for (Object h : list(at(f, "requestHeaderModifier", op))) {
                    if ("x-forwarded-proto".equalsIgnoreCase(String.valueOf(map(h).get("name")))) {
                        value = String.valueOf(map(h).get("value"));
                    }
                }
            }
        }
        return value;
    }

    /** A Gateway API duration ("30s", "1h30m", "500ms", "0s") or a Quarkus one ("PT15S", "15" seconds). */
    static Duration duration(String text) {
        String t = text.trim();
        if (t.matches("\\d+")) {
            return Duration.ofSeconds(Long.parseLong(t));
        }
        if (t.toUpperCase().startsWith("P")) {
            return Duration.parse(t.toUpperCase());
        }
        Matcher m = Pattern.compile("(\\d+)(ms|h|m|s)").matcher(t);
        Duration total = Duration.ZERO;
        int end = 0;
        while (m.find() && m.start() == end) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                case "s" -> Duration.ofSeconds(n);
                default -> Duration.ofMillis(n);
            });
            end = m.end();
        }
        if (end != t.length() || end == 0) {
            throw new IllegalArgumentException("not a duration: " + text);
        }
        return total;
    }

    private static void checkRef(Render r, List<String> problems, Map<String, String> documented, String at, String kind, String name,
                                 String ns, List<String> keys, Object optional) {
        Optional<Map<String, Object>> object = r.find(kind, name, ns);
        if (object.isPresent()) {
            Set<String> present = new LinkedHashSet<>();
            present.addAll(map(object.get().get("data")).keySet());
            present.addAll(map(object.get().get("binaryData")).keySet());
            present.addAll(map(object.get().get("stringData")).keySet());
            for (String key : keys) {
                if (!present.contains(key)) {
                    problems.add(at + ": " + kind + " " + name + " has no key " + key + " (has " + present + ")");
                }
            }
            return;
        }
        Pattern generated = Pattern.compile(Pattern.quote(name) + "-[a-z0-9]{10}");
        Optional<Map<String, Object>> hashed = r.all(kind).stream()
                .filter(o -> generated.matcher(name(o)).matches()).findFirst();
        if (hashed.isPresent()) {
            problems.add(at + ": refers to " + kind + " " + name + ", which the overlay generates as " + name(hashed.get())
                    + " in namespace " + namespace(hashed.get()) + " (kustomize rewrites references only within one namespace)");
            return;
        }
        if (Boolean.TRUE.equals(optional)) {
            return;
        }
        if (!"Secret".equals(kind) || !EXTERNAL_SECRETS.contains(name)) {
            problems.add(at + ": no " + kind + " " + name + " in namespace " + ns + " of the render, and it is no documented external Secret");
            return;
        }
        String command = documented.get(name);
        if (command == null) {
            problems.add(at + ": external Secret " + name + " has no `kubectl create secret` command in deploy/k8s/README.md");
            return;
        }
        for (String key : keys) {
            boolean tls = command.contains(" tls ") && (key.equals("tls.crt") || key.equals("tls.key"));
            if (!tls && !command.contains(key + "=")) {
                problems.add(at + ": the README's command for Secret " + name + " does not create key " + key + ": " + command);
            }
        }
    }

    /** deploy/k8s/README.md's `kubectl ... create secret generic|tls NAME ...` command lines, by name (continuation lines joined). */
    static Map<String, String> documentedSecretCommands() throws IOException {
        String readme = Files.readString(K8S.resolve("README.md")).replaceAll("\\\\\\n\\s*", " ");
        Map<String, String> commands = new HashMap<>();
        Matcher m = Pattern.compile("[^\\n]*\\bcreate secret (?:generic|tls) ([a-z0-9.-]+)[^\\n]*").matcher(readme);
        while (m.find()) {
            commands.put(m.group(1), m.group());
        }
        return commands;
    }

    /** Fully qualified gRPC service -> its rpc names, from every .proto under proto/. */
    static Map<String, Set<String>> protoServices() {
        Map<String, Set<String>> services = new TreeMap<>();
        try (Stream<Path> files = Files.walk(REPO.resolve("proto/src/main/resources"))) {
            for (Path proto : files.filter(f -> f.toString().endsWith(".proto")).toList()) {
                String text = Files.readString(proto).replaceAll("//[^\\n]*", "");
                Matcher pkg = Pattern.compile("(?m)^\\s*package\\s+([\\w.]+)\\s*;").matcher(text);
                String prefix = pkg.find() ? pkg.group(1) + "." : "";
                Matcher svc = Pattern.compile("(?m)^\\s*service\\s+(\\w+)\\s*\\{").matcher(text);
                while (svc.find()) {
                    int depth = 0;
                    int end = svc.end() - 1;
                    for (int i = end; i < text.length(); i++) {
                        depth += text.charAt(i) == '{' ? 1 : text.charAt(i) == '}' ? -1 : 0;
                        if (depth == 0) {
                            end = i;
                            break;
                        }
                    }
                    Set<String> rpcs = new LinkedHashSet<>();
                    Matcher rpc = Pattern.compile("\\brpc\\s+(\\w+)\\s*\\(").matcher(text.substring(svc.end(), end));
                    while (rpc.find()) {
                        rpcs.add(rpc.group(1));
                    }
                    services.put(prefix + svc.group(1), rpcs);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return services;
    }

    /** Whether an ingress rule admits traffic to the given container port (no ports: every port). */
    static boolean admits(Map<String, Object> rule, Map<String, Object> container, int port) {
        List<Object> ports = list(rule.get("ports"));
        if (ports.isEmpty()) {
            return true;
        }
        for (Object o : ports) {
            Map<String, Object> p = map(o);
            Integer from = policyPort(p, container);
            if (!p.containsKey("port")) {
                return true;
            }
            Object end = p.get("endPort");
            if (from != null && (from == port || (end instanceof Integer e && from <= port && port <= e))) {
                return true;
            }
        }
        return false;
    }

    static Integer policyPort(Map<String, Object> p, Map<String, Object> container) {
        Object port = p.get("port");
        return port == null ? null : port instanceof Integer i ? i : containerPort(container, port);
    }

    /** The values of app.kubernetes.io/name a selector can match; null when it does not limit that label. */
    static Set<String> selectedNames(Map<String, Object> selector) {
        Object exact = map(selector.get("matchLabels")).get(NAME_LABEL);
        if (exact != null) {
            return Set.of(exact.toString());
        }
        for (Object e : list(selector.get("matchExpressions"))) {
            if (NAME_LABEL.equals(map(e).get("key")) && "In".equals(map(e).get("operator"))) {
                return list(map(e).get("values")).stream().map(Object::toString).collect(Collectors.toSet());
            }
        }
        return null;
    }

    static boolean selects(Map<String, Object> selector, Map<String, String> labels) {
        for (Map.Entry<String, Object> e : map(selector.get("matchLabels")).entrySet()) {
            if (!Objects.equals(labels.get(e.getKey()), String.valueOf(e.getValue()))) {
                return false;
            }
        }
        for (Object o : list(selector.get("matchExpressions"))) {
            Map<String, Object> e = map(o);
            String value = labels.get((String) e.get("key"));
            List<Object> values = list(e.get("values"));
            boolean ok = switch (String.valueOf(e.get("operator"))) {
                case "In" -> value != null && values.contains(value);
                case "NotIn" -> value == null || !values.contains(value);
                case "Exists" -> value != null;
                case "DoesNotExist" -> value == null;
                default -> false;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** A container port by number or name; null when the container declares no such port. */
    static Integer containerPort(Map<String, Object> container, Object port) {
        for (Object o : list(container.get("ports"))) {
            Map<String, Object> p = map(o);
            if (port instanceof Integer i ? Objects.equals(p.get("containerPort"), i)
                    : port != null && (port.equals(p.get("name")) || port.toString().equals(String.valueOf(p.get("containerPort"))))) {
                return (Integer) p.get("containerPort");
            }
        }
        return null;
    }

    static Optional<Map<String, Object>> env(Map<String, Object> container, String name) {
        return list(container.get("env")).stream().map(RenderedManifestsTest::map).filter(e -> name.equals(e.get("name"))).findFirst();
    }

    static String envValue(Map<String, Object> container, String name) {
        return env(container, name).map(e -> (String) e.get("value")).orElse(null);
    }

    static Object effective(Map<String, Object> container, Map<String, Object> pod, String key) {
        return container.containsKey(key) ? container.get(key) : pod.get(key);
    }

    static List<String> keys(Object items) {
        return list(items).stream().map(i -> (String) map(i).get("key")).toList();
    }

    static Map<String, Map<String, Object>> volumesByName(Map<String, Object> podSpec) {
        Map<String, Map<String, Object>> volumes = new LinkedHashMap<>();
        for (Object v : list(podSpec.get("volumes"))) {
            volumes.put((String) map(v).get("name"), map(v));
        }
        return volumes;
    }

    /** Kubernetes quantities ("500m", "2", "128Mi", "1G") as plain numbers. */
    static BigDecimal quantity(String q) {
        Matcher m = Pattern.compile("([0-9.]+(?:[eE][0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?").matcher(q.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a quantity: " + q);
        }
        BigDecimal n = new BigDecimal(m.group(1));
        String suffix = m.group(2) == null ? "" : m.group(2);
        return switch (suffix) {
            case "" -> n;
            case "n" -> n.movePointLeft(9);
            case "u" -> n.movePointLeft(6);
            case "m" -> n.movePointLeft(3);
            case "k" -> n.movePointRight(3);
            case "M" -> n.movePointRight(6);
            case "G" -> n.movePointRight(9);
            case "T" -> n.movePointRight(12);
            case "P" -> n.movePointRight(15);
            case "E" -> n.movePointRight(18);
            default -> n.multiply(BigDecimal.valueOf(2).pow(10 * (1 + "KMGTPE".indexOf(suffix.charAt(0)))));
        };
    }

    // ---------------------------------------------------------------- the services' own configuration

    /** A service module: its application.properties and sources, which say what the process does. */
    record Module(String name, Properties properties, String propertiesText) {

        static final Map<String, Optional<Module>> CACHE = new HashMap<>();

        /**
         * The environment names of service-support's {@code @ConfigMapping} settings: prefix plus each method's name in
         * kebab case ({@code peering.db.read} and {@code url()}: PEERING_DB_READ_URL), read from its sources.
         */
        static final Set<String> SHARED_SETTINGS = sharedSettings();

        private static Set<String> sharedSettings() {
            Pattern prefix = Pattern.compile("@ConfigMapping\\(prefix = \"([a-z.-]+)\"\\)");
            Pattern method = Pattern.compile("^\\s+[\\w<>, .]+\\s+(\\w+)\\(\\);", Pattern.MULTILINE);
            Set<String> names = new LinkedHashSet<>();
            try (Stream<Path> files = Files.walk(REPO.resolve("service-support/src/main/java"))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    String source = Files.readString(f);
                    Matcher m = prefix.matcher(source);
                    if (!m.find()) {
                        continue;
                    }
                    Matcher methods = method.matcher(source);
                    while (methods.find()) {
                        String kebab = methods.group(1).replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
                        names.add((m.group(1) + "." + kebab).replaceAll("[^A-Za-z0-9]", "_").toUpperCase());
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return names;
        }

        static Optional<Module> of(String name) {
            if (name == null) {
                return Optional.empty();
            }
            return CACHE.computeIfAbsent(name, n -> {
                Path file = REPO.resolve(n).resolve("src/main/resources/application.properties");
                if (!n.matches("[a-z-]+") || !Files.isRegularFile(file)) {
                    return Optional.empty();
                }
                try (InputStream in = Files.newInputStream(file)) {
                    Properties p = new Properties();
                    p.load(in);
                    return Optional.of(new Module(n, p, Files.readString(file)));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
        }

        /** The module whose @GrpcService implements a proto service (peering.routes.v1.RoutesService). */
        static Optional<Module> implementing(String fullyQualified) {
            String simple = fullyQualified.substring(fullyQualified.lastIndexOf('.') + 1);
            Pattern base = Pattern.compile("extends\\s+(?:[\\w.]+\\.)?Mutiny" + simple + "Grpc\\." + simple + "ImplBase\\b");
            for (String service : SERVICES) {
                try (Stream<Path> files = Files.walk(REPO.resolve(service).resolve("src/main/java"))) {
                    for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                        String text = Files.readString(f);
                        if (text.contains("@GrpcService") && base.matcher(text).find()) {
                            return of(service);
                        }
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
            return Optional.empty();
        }

        /** A setting as the container sees it: its environment variable (MicroProfile naming) over the file. */
        String setting(Map<String, Object> container, String property, String otherwise) {
            String fromEnv = envValue(container, property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase());
            String value = fromEnv != null ? fromEnv : properties.getProperty(property);
            if (value == null) {
                return otherwise;
            }
            Matcher expression = Pattern.compile("\\$\\{([A-Z0-9_]+):([^}]*)}").matcher(value.trim());
            if (expression.matches()) {
                String env = envValue(container, expression.group(1));
                return env != null ? env : expression.group(2);
            }
            return value.trim();
        }

        int intSetting(Map<String, Object> container, String property, int otherwise) {
            return Integer.parseInt(setting(container, property, Integer.toString(otherwise)));
        }

        int httpPort(Map<String, Object> container) {
            return intSetting(container, "quarkus.http.port", 8080);
        }

        /** gRPC is served on the HTTP port unless the module asks for the separate server (default port 9000). */
        int grpcPort(Map<String, Object> container) {
            return "false".equals(setting(container, "quarkus.grpc.server.use-separate-server", "true"))
                    ? httpPort(container) : intSetting(container, "quarkus.grpc.server.port", 9000);
        }

        /** Whether the module runs a gRPC server: Quarkus starts one only for @GrpcService beans. */
        boolean servesGrpc() {
            try (Stream<Path> files = Files.walk(REPO.resolve(name).resolve("src/main/java"))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    if (Files.readString(f).contains("@GrpcService")) {
                        return true;
                    }
                }
                return false;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Whether the module has a datasource (and so takes database connections). */
        boolean usesDatabase() {
            return properties.stringPropertyNames().stream().anyMatch(k -> k.startsWith("quarkus.datasource."));
        }

        /**
         * A property as the container's process sees it (prod profile): its MicroProfile environment name, else
         * %prod.key, else the key from the file, with ${NAME:default} expressions expanded, nested ones too (NAME
         * an environment variable or another property). Null when nothing sets it.
         */
        String resolved(Map<String, Object> container, String property) {
            return resolved(container, property, 0);
        }

        private String resolved(Map<String, Object> container, String property, int depth) {
            String value = envValue(container, property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase());
            if (value == null) {
                value = properties.getProperty("%prod." + property, properties.getProperty(property));
            }
            return value == null ? null : expand(container, value.trim(), depth);
        }

        private String expand(Map<String, Object> container, String value, int depth) {
            if (depth > 10) {
                throw new IllegalStateException("configuration expressions nest too deep: " + value);
            }
            StringBuilder out = new StringBuilder();
            int i = 0;
            int start;
            while ((start = value.indexOf("${", i)) >= 0) {
                out.append(value, i, start);
                int open = 0;
                int end = -1;
                for (int j = start; j < value.length(); j++) {
                    if (value.startsWith("${", j)) {
                        open++;
                        j++;
                    } else if (value.charAt(j) == '}' && --open == 0) {
                        end = j;
                        break;
                    }
                }
                if (end < 0) {
                    break;
                }
                String inner = value.substring(start + 2, end);
                int colon = inner.indexOf(':');
                String key = colon < 0 ? inner : inner.substring(0, colon);
                String found = envValue(container, key);
                if (found == null) {
                    found = resolved(container, key, depth + 1);
                }
                if (found == null && colon >= 0) {
                    found = expand(container, inner.substring(colon + 1), depth + 1);
                }
                out.append(found == null ? "" : found);
                i = end + 1;
            }
            return out.append(value.substring(Math.min(i, value.length()))).toString();
        }

        /**
         * Whether an environment variable reaches the configuration: as ${NAME...}, as a property's MicroProfile env name,
         * or (for the four services, which all use service-support) as a setting of one of service-support's
         * {@code @ConfigMapping} interfaces.
         */
        boolean consumes(String variable) {
            if (propertiesText.contains("${" + variable + ":") || propertiesText.contains("${" + variable + "}")) {
                return true;
            }
            if (SERVICES.contains(name) && SHARED_SETTINGS.contains(variable)) {
                return true;
            }
            for (String key : properties.stringPropertyNames()) {
                String unprofiled = key.startsWith("%") ? key.substring(key.indexOf('.') + 1) : key;
                if (unprofiled.replaceAll("[^A-Za-z0-9]", "_").toUpperCase().equals(variable) && !key.startsWith("%")) {
                    return true;
                }
            }
            return false;
        }
    }

    // ---------------------------------------------------------------- the render

    record Render(String name, List<Map<String, Object>> objects, int bytes) {

        List<Map<String, Object>> all(String kind) {
            return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
        }

        Optional<Map<String, Object>> find(String kind, String name) {
            return all(kind).stream().filter(o -> Objects.equals(RenderedManifestsTest.name(o), name)).findFirst();
        }

        Optional<Map<String, Object>> find(String kind, String name, String namespace) {
            return all(kind).stream().filter(o -> Objects.equals(RenderedManifestsTest.name(o), name) && Objects.equals(namespace(o), namespace)).findFirst();
        }

        /** Everything that makes pods: Deployments, StatefulSets, DaemonSets, Jobs, CronJobs. */
        List<Map<String, Object>> workloads() {
            return objects.stream().filter(o -> List.of("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob").contains(o.get("kind")))
                    .toList();
        }

        List<Map<String, Object>> workloadsSelectedBy(Map<String, Object> service) {
            Map<String, Object> selector = map(at(service, "spec", "selector"));
            if (selector.isEmpty()) {
                return List.of();
            }
            Map<String, Object> asSelector = Map.of("matchLabels", selector);
            return workloads().stream().filter(w -> Objects.equals(namespace(w), namespace(service)))
                    .filter(w -> selects(asSelector, podLabels(w))).toList();
        }

        List<Map<String, Object>> policiesSelecting(Map<String, Object> workload) {
            return all("NetworkPolicy").stream().filter(p -> Objects.equals(namespace(p), namespace(workload)))
                    .filter(p -> selects(map(at(p, "spec", "podSelector")), podLabels(workload))).toList();
        }

        /** The listeners of the Gateway a route's parentRef names that take the route (sectionName, port, allowedRoutes). */
        List<Map<String, Object>> listenersOf(Map<String, Object> route, Map<String, Object> parentRef) {
            if (!"Gateway".equals(parentRef.getOrDefault("kind", "Gateway"))
                    || !"gateway.networking.k8s.io".equals(parentRef.getOrDefault("group", "gateway.networking.k8s.io"))) {
                return List.of();
            }
            String ns = (String) parentRef.getOrDefault("namespace", namespace(route));
            Optional<Map<String, Object>> gateway = find("Gateway", (String) parentRef.get("name"), ns);
            List<Map<String, Object>> listeners = new ArrayList<>();
            for (Object o : gateway.map(g -> list(at(g, "spec", "listeners"))).orElse(List.of())) {
                Map<String, Object> l = map(o);
                if (parentRef.get("sectionName") != null && !parentRef.get("sectionName").equals(l.get("name"))) {
                    continue;
                }
                if (parentRef.get("port") != null && !parentRef.get("port").equals(l.get("port"))) {
                    continue;
                }
                List<Object> kinds = list(at(l, "allowedRoutes", "kinds"));
                boolean kindOk = kinds.isEmpty()
                        ? List.of("HTTP", "HTTPS").contains(l.get("protocol"))
                        : kinds.stream().anyMatch(k -> kind(route).equals(map(k).get("kind"))
                                && "gateway.networking.k8s.io".equals(map(k).getOrDefault("group", "gateway.networking.k8s.io")));
                String from = (String) Optional.ofNullable(at(l, "allowedRoutes", "namespaces", "from")).orElse("Same");
                boolean namespaceOk = !"Same".equals(from) || Objects.equals(namespace(route), ns);
                if (kindOk && namespaceOk) {
                    listeners.add(l);
                }
            }
            return listeners;
        }

        /** Whether some backendRef of the route is a Service in front of the workload. */
        boolean routeBacksOnto(Map<String, Object> route, Map<String, Object> workload) {
            return list(at(route, "spec", "rules")).stream().flatMap(rule -> list(map(rule).get("backendRefs")).stream())
                    .map(RenderedManifestsTest::map)
                    .filter(ref -> "Service".equals(ref.getOrDefault("kind", "Service")) && "".equals(ref.getOrDefault("group", "")))
                    .map(ref -> find("Service", (String) ref.get("name"), (String) ref.getOrDefault("namespace", namespace(route))))
                    .anyMatch(svc -> svc.isPresent() && workloadsSelectedBy(svc.get()).contains(workload));
        }

        /**
         * The HTTPRoute rule a plain GET or POST of this path takes (any host): Exact over PathPrefix, then the
         * longest prefix. Matches that need a header, query parameter or method are left out.
         */
        Optional<Map<String, Object>> httpRuleFor(String path) {
            Map<String, Object> best = null;
            int bestScore = -1;
            for (Map<String, Object> route : all("HTTPRoute")) {
                for (Object o : list(at(route, "spec", "rules"))) {
                    List<Object> matches = list(map(o).get("matches"));
                    for (Object m : matches.isEmpty() ? List.<Object>of(Map.of()) : matches) {
                        Map<String, Object> match = map(m);
                        if (match.containsKey("headers") || match.containsKey("queryParams") || match.containsKey("method")) {
                            continue;
                        }
                        String type = (String) Optional.ofNullable(at(match, "path", "type")).orElse("PathPrefix");
                        String value = (String) Optional.ofNullable(at(match, "path", "value")).orElse("/");
                        String prefix = value.length() > 1 && value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
                        int score = switch (type) {
                            case "Exact" -> path.equals(value) ? 100_000 + value.length() : -1;
                            case "PathPrefix" -> prefix.equals("/") || path.equals(prefix) || path.startsWith(prefix + "/")
                                    ? prefix.length() : -1;
                            default -> -1;
                        };
                        if (score > bestScore) {
                            bestScore = score;
                            best = map(o);
                        }
                    }
                }
            }
            return Optional.ofNullable(best);
        }

        Optional<Map<String, Object>> hpaFor(Map<String, Object> workload) {
            return all("HorizontalPodAutoscaler").stream().filter(h -> Objects.equals(namespace(h), namespace(workload)))
                    .filter(h -> Objects.equals(at(h, "spec", "scaleTargetRef", "kind"), kind(workload))
                            && Objects.equals(at(h, "spec", "scaleTargetRef", "name"), RenderedManifestsTest.name(workload)))
                    .findFirst();
        }
    }

    static Map<String, Object> podSpec(Map<String, Object> workload) {
        return "CronJob".equals(workload.get("kind"))
                ? map(at(workload, "spec", "jobTemplate", "spec", "template", "spec"))
                : map(at(workload, "spec", "template", "spec"));
    }

    static Map<String, String> podLabels(Map<String, Object> workload) {
        if ("Cluster".equals(workload.get("kind"))) { // CloudNativePG labels every instance of a Cluster with its name
            return Map.of("cnpg.io/cluster", name(workload));
        }
        Object labels = "CronJob".equals(workload.get("kind"))
                ? at(workload, "spec", "jobTemplate", "spec", "template", "metadata", "labels")
                : at(workload, "spec", "template", "metadata", "labels");
        Map<String, String> result = new LinkedHashMap<>();
        map(labels).forEach((k, v) -> result.put(k, String.valueOf(v)));
        return result;
    }

    static List<Map<String, Object>> containers(Map<String, Object> podSpec) {
        return list(podSpec.get("containers")).stream().map(RenderedManifestsTest::map).toList();
    }

    static List<Map<String, Object>> allContainers(Map<String, Object> podSpec) {
        return Stream.concat(list(podSpec.get("initContainers")).stream(), list(podSpec.get("containers")).stream())
                .map(RenderedManifestsTest::map).toList();
    }

    static String kind(Map<String, Object> o) {
        return (String) o.get("kind");
    }

    static String name(Map<String, Object> o) {
        return (String) at(o, "metadata", "name");
    }

    static String namespace(Map<String, Object> o) {
        return (String) at(o, "metadata", "namespace");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return o instanceof Map ? (Map<String, Object>) o : Map.of();
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        return o instanceof List ? (List<Object>) o : List.of();
    }

    static Object at(Object o, String... path) {
        for (String p : path) {
            o = map(o).get(p);
        }
        return o;
    }

    // ---------------------------------------------------------------- processes

    record Run(int exit, String out, String err) {
    }

    static Run run(long timeoutSeconds, String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("kubectl-out", ".txt");
        Path err = Files.createTempFile("kubectl-err", ".txt");
        try {
            Process p = new ProcessBuilder(command).directory(REPO.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
            }
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** The project's kubectl: $PEERING_KUBECTL, else the one install-kubectl.sh put under .state (installing it when missing). */
    static Path kubectl() throws IOException, InterruptedException {
        String explicit = System.getenv("PEERING_KUBECTL");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        Path state = Optional.ofNullable(System.getenv("PEERING_STATE_DIR")).map(Path::of).orElse(REPO.resolve("deploy/local/.state"));
        Path kubectl = state.resolve("tools/bin/kubectl");
        if (Files.isExecutable(kubectl)) {
            return kubectl;
        }
        Run install = run(600, "bash", REPO.resolve("deploy/local/install-kubectl.sh").toString());
        String[] lines = install.out.strip().split("\n");
        Path installed = Path.of(lines[lines.length - 1].strip());
        if (install.exit != 0 || !Files.isExecutable(installed)) {
            fail("the project's kubectl is missing and deploy/local/install-kubectl.sh could not install it (exit " + install.exit
                    + "); run it by hand, or point PEERING_KUBECTL at a kubectl with kustomize:\n" + install.err);
        }
        return installed;
    }

    static Path repoRoot() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("deploy/k8s/overlays")) && Files.isRegularFile(d.resolve("pom.xml"))) {
                return d;
            }
        }
        throw new IllegalStateException("no deploy/k8s/overlays above " + dir);
    }
}
