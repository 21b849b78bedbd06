import * as k8s from "@pulumi/kubernetes";
import { PolicyPack, ReportViolation, validateResourceOfType } from "@pulumi/policy";

/** The parts of a container spec these policies read. */
interface ContainerLike {
    name: string;
    image?: string;
    securityContext?: { privileged?: boolean };
}

/** The parts of a pod spec these policies read. */
interface PodSpecLike {
    containers: ContainerLike[];
    initContainers?: ContainerLike[];
}

function allContainers(spec: PodSpecLike | undefined): ContainerLike[] {
    return spec ? [...(spec.initContainers ?? []), ...spec.containers] : [];
}

function checkPrivileged(resourceName: string, spec: PodSpecLike | undefined, reportViolation: ReportViolation): void {
    for (const container of allContainers(spec)) {
        if (container.securityContext?.privileged === true) {
            reportViolation(`Container '${container.name}' of '${resourceName}' runs privileged.`);
        }
    }
}

// An image without a tag or digest resolves to :latest, which changes under a running workload.
function isUnpinned(image: string): boolean {
    if (image.includes("@sha256:")) {
        return false;
    }
    const lastSegment = image.slice(image.lastIndexOf("/") + 1);
    return !lastSegment.includes(":") || lastSegment.endsWith(":latest");
}

function checkImageTags(resourceName: string, spec: PodSpecLike | undefined, reportViolation: ReportViolation): void {
    for (const container of allContainers(spec)) {
        if (container.image !== undefined && isUnpinned(container.image)) {
            reportViolation(`Container '${container.name}' of '${resourceName}' uses image '${container.image}' without a pinned tag.`);
        }
    }
}

new PolicyPack("${PACK_NAME}", {
    policies: [
        // The policy of Pulumi's own kubernetes-typescript template (pulumi/templates-policy).
        {
            name: "no-public-services",
            description: "Kubernetes Services should be cluster-private.",
            enforcementLevel: "mandatory",
            remediationSteps: "Use type ClusterIP (or NodePort behind your own load balancer) and expose the workload through an Ingress with authentication.",
            url: "https://kubernetes.io/docs/concepts/services-networking/service/#loadbalancer",
            validateResource: validateResourceOfType(k8s.core.v1.Service, (service, args, reportViolation) => {
                if (service.spec?.type === "LoadBalancer") {
                    reportViolation(`Service '${args.name}' is of type LoadBalancer, which exposes it to anything that can reach the cluster, likely the public Internet.`);
                }
            }),
        },
        {
            name: "no-privileged-containers",
            description: "Containers must not run in privileged mode.",
            enforcementLevel: "mandatory",
            severity: "critical",
            remediationSteps: "Remove `securityContext.privileged: true`; grant only the Linux capabilities the container needs.",
            url: "https://kubernetes.io/docs/concepts/security/pod-security-standards/",
            validateResource: [
                validateResourceOfType(k8s.apps.v1.Deployment, (deployment, args, reportViolation) => {
                    checkPrivileged(args.name, deployment.spec?.template?.spec, reportViolation);
                }),
                validateResourceOfType(k8s.core.v1.Pod, (pod, args, reportViolation) => {
                    checkPrivileged(args.name, pod.spec, reportViolation);
                }),
            ],
        },
        {
            name: "no-latest-image-tag",
            description: "Container images must be pinned to a tag other than latest, or to a digest.",
            enforcementLevel: "advisory",
            severity: "medium",
            remediationSteps: "Use an explicit version tag (`nginx:1.27.2`) or a digest (`nginx@sha256:...`).",
            url: "https://kubernetes.io/docs/concepts/containers/images/#image-names",
            validateResource: [
                validateResourceOfType(k8s.apps.v1.Deployment, (deployment, args, reportViolation) => {
                    checkImageTags(args.name, deployment.spec?.template?.spec, reportViolation);
                }),
                validateResourceOfType(k8s.core.v1.Pod, (pod, args, reportViolation) => {
                    checkImageTags(args.name, pod.spec, reportViolation);
                }),
            ],
        },
    ],
});
