/** A testcontainers GenericContainer with a fixed address on one network. */
import { GenericContainer } from 'testcontainers';

/**
 * testcontainers 11 has no builder for a fixed IP, yet a node must keep its address across
 * kill and start (DNS records and the DRBD configuration name it), so the endpoint
 * configuration is set just before the container is created.
 */
export class StaticIpContainer extends GenericContainer {
  private endpoint?: { network: string; ip: string };

  withStaticIp(network: string, ip: string): this {
    this.endpoint = { network, ip };
    return this.withNetworkMode(network);
  }

  protected override async beforeContainerCreated(): Promise<void> {
    if (!this.endpoint) return;
    this.createOpts.NetworkingConfig = {
      EndpointsConfig: { [this.endpoint.network]: { IPAMConfig: { IPv4Address: this.endpoint.ip } } },
    };
  }
}
