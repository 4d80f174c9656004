// Gateway API HTTPRoute (gateway.networking.k8s.io/v1), the subset this project emits.
//
// Written by hand in the shape `cdk8s import` gives a CRD (an ApiObject subclass with GVK
// constants and a typed props interface): the CRD cannot be downloaded on the build machine.
// Field names follow sigs.k8s.io/gateway-api apis/v1/httproute_types.go and shared_types.go;
// `sessionPersistence` is in the experimental channel (GEP-1619), which Envoy Gateway implements.
// Tests validate emitted objects against @kubernetes-models/gateway-api.
import { ApiObject, ApiObjectMetadata, GroupVersionKind } from 'cdk8s';
import { Construct } from 'constructs';

export interface HttpRouteParentReference {
  readonly group?: string;
  readonly kind?: string;
  readonly name: string;
  readonly namespace?: string;
  readonly sectionName?: string;
}

export interface HttpRouteBackendRef {
  readonly name: string;
  readonly port: number;
  readonly kind?: string;
  readonly weight?: number;
}

export interface HttpRouteSessionPersistence {
  /** `Cookie` (Core) or `Header` (Extended). */
  readonly type: 'Cookie' | 'Header';
  readonly sessionName?: string;
  readonly absoluteTimeout?: string;
  readonly idleTimeout?: string;
  readonly cookieConfig?: { readonly lifetimeType: 'Session' | 'Permanent' };
}

export interface HttpRouteRule {
  readonly matches?: { readonly path?: { readonly type: 'PathPrefix' | 'Exact'; readonly value: string } }[];
  readonly backendRefs: HttpRouteBackendRef[];
  readonly sessionPersistence?: HttpRouteSessionPersistence;
  readonly timeouts?: { readonly request?: string; readonly backendRequest?: string };
}

export interface HttpRouteSpec {
  readonly parentRefs: HttpRouteParentReference[];
  readonly hostnames?: string[];
  readonly rules: HttpRouteRule[];
}

export interface HttpRouteProps {
  readonly metadata?: ApiObjectMetadata;
  readonly spec: HttpRouteSpec;
}

export class HttpRoute extends ApiObject {
  public static readonly GVK: GroupVersionKind = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute' };

  constructor(scope: Construct, id: string, props: HttpRouteProps) {
    super(scope, id, { ...HttpRoute.GVK, ...props });
  }
}
