import { Construct } from 'constructs';
import type { ClusterFacts } from '../environments/cluster-facts';
import type { NodePoolSettings } from '../environments/schema';
import {
  Ec2NodeClass,
  Ec2NodeClassSpecBlockDeviceMappingsEbsVolumeType,
  Ec2NodeClassSpecMetadataOptionsHttpTokens,
} from '../imports/karpenter.k8s.aws';
import {
  NodePool,
  NodePoolSpecDisruptionConsolidationPolicy,
  NodePoolSpecLimits,
  NodePoolSpecTemplateSpecRequirementsOperator,
} from '../imports/karpenter.sh';
import { MANAGED_BY } from './labels';

export interface KarpenterNodesProps {
  readonly cluster: ClusterFacts;
  readonly settings: NodePoolSettings;
  /** Name of the NodePool and its EC2NodeClass. @default 'platforms' */
  readonly name?: string;
  /** Size of each node's root volume. @default '50Gi' */
  readonly rootVolumeSize?: string;
}

/**
 * The nodes the platforms run on: a Karpenter NodePool of current-generation amd64 instances (c, m, r; no
 * burstable t) and its EC2NodeClass, which finds the cluster's private subnets and node security group by
 * the Terraform discovery tag and launches the pinned EKS-optimised AMI with the Terraform node role,
 * IMDSv2 only and an encrypted gp3 root volume.
 */
export class KarpenterNodes extends Construct {
  constructor(scope: Construct, id: string, props: KarpenterNodesProps) {
    super(scope, id);
    const name = props.name ?? 'platforms';
    const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/managed-by': MANAGED_BY };
    const discovery = { 'karpenter.sh/discovery': props.cluster.karpenter_discovery_tag };

    new Ec2NodeClass(this, 'node-class', {
      metadata: { name, labels },
      spec: {
        role: props.cluster.karpenter_node_role_name,
        amiSelectorTerms: [{ alias: props.settings.amiAlias }],
        subnetSelectorTerms: [{ tags: discovery }],
        securityGroupSelectorTerms: [{ tags: discovery }],
        metadataOptions: { httpTokens: Ec2NodeClassSpecMetadataOptionsHttpTokens.REQUIRED, httpPutResponseHopLimit: 1 },
        blockDeviceMappings: [{
          deviceName: '/dev/xvda',
          rootVolume: true,
          ebs: {
            volumeSize: props.rootVolumeSize ?? '50Gi',
            volumeType: Ec2NodeClassSpecBlockDeviceMappingsEbsVolumeType.GP3,
            encrypted: true,
            deleteOnTermination: true,
          },
        }],
        tags: { 'managed-by': MANAGED_BY },
      },
    });

    const In = NodePoolSpecTemplateSpecRequirementsOperator.IN;
    new NodePool(this, 'node-pool', {
      metadata: { name, labels },
      spec: {
        template: {
          metadata: { labels: { 'platform-manifests/node-pool': name } },
          spec: {
            nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name },
            requirements: [
              { key: 'kubernetes.io/arch', operator: In, values: ['amd64'] },
              { key: 'kubernetes.io/os', operator: In, values: ['linux'] },
              { key: 'karpenter.sh/capacity-type', operator: In, values: [...props.settings.capacityTypes].sort() },
              { key: 'karpenter.k8s.aws/instance-category', operator: In, values: ['c', 'm', 'r'] },
              { key: 'karpenter.k8s.aws/instance-generation', operator: NodePoolSpecTemplateSpecRequirementsOperator.GT, values: ['5'] },
              { key: 'topology.kubernetes.io/zone', operator: In, values: [...props.cluster.availability_zones].sort() },
            ],
            expireAfter: '720h',
          },
        },
        limits: {
          cpu: NodePoolSpecLimits.fromString(props.settings.cpuLimit),
          memory: NodePoolSpecLimits.fromString(props.settings.memoryLimit),
        },
        disruption: {
          consolidationPolicy: NodePoolSpecDisruptionConsolidationPolicy.WHEN_EMPTY_OR_UNDERUTILIZED,
          consolidateAfter: '5m',
          // At most one node in ten is voluntarily replaced at a time.
          budgets: [{ nodes: '10%' }],
        },
      },
    });
  }
}
