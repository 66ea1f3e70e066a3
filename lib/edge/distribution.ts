/**
 * The edge: the CloudFront distribution in front of the public API, the generated region
 * function (geo headers → `x-notice-region`, one content language), the notice cache and
 * origin-request policies, and the access-log bucket.
 */
import { Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import { PlatformPropsError, type ResolvedPlatformProps } from '../disclosure-platform-props.ts';
import { acknowledge } from '../nag.ts';
import { ORIGIN_VERIFY_HEADER } from './origin-secret.ts';
import { REGION_HEADER, regionFunctionCode } from './region-function.ts';

/**
 * The `webAcl` prop's web ACL: CloudFront scope (so in us-east-1 only), a per-IP rate-based rule
 * that blocks, everything else allowed; named per stack and region (web ACL names are per account).
 */
const buildWebAcl = (scope: Construct, rateLimitPer5Minutes: number): wafv2.CfnWebACL => {
  const stack = Stack.of(scope);
  if (stack.region !== 'us-east-1') {
    throw new PlatformPropsError('webAcl', `a CloudFront web ACL can only be created in us-east-1, this stack is in ${stack.region}: create it in a us-east-1 stack (its webAcl prop) and pass its ARN as webAclArn (docs/runbook.md, "WAF")`);
  }
  const name = `${stack.stackName}-edge-${stack.region}`;
  return new wafv2.CfnWebACL(scope, 'EdgeWebAcl', {
    name,
    description: 'Disclosure: per-IP rate limit in front of the public API',
    scope: 'CLOUDFRONT',
    defaultAction: { allow: {} },
    visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: `${name}-all`, sampledRequestsEnabled: true },
    rules: [{
      name: 'RatePerIp',
      priority: 0,
      action: { block: {} },
      statement: { rateBasedStatement: { aggregateKeyType: 'IP', limit: rateLimitPer5Minutes, evaluationWindowSec: 300 } },
      visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: `${name}-rate`, sampledRequestsEnabled: true },
    }],
  });
};

/**
 * Creates the distribution in front of `publicApi`, in `scope` (the `DisclosurePlatform`); every
 * origin request carries `x-origin-verify: <originVerifyValue>` (lib/edge/origin-secret.ts).
 */
export const buildDistribution = (scope: Construct, config: ResolvedPlatformProps, publicApi: HttpApi, originVerifyValue: string): cloudfront.Distribution => {
  const regionFunction = new cloudfront.Function(scope, 'RegionFunction', {
    comment: 'Disclosure: geo headers → x-notice-region, Accept-Language → one content language',
    runtime: cloudfront.FunctionRuntime.JS_2_0,
    code: cloudfront.FunctionCode.fromInline(regionFunctionCode(config.content)),
  });
  const noticeCachePolicy = new cloudfront.CachePolicy(scope, 'NoticeCachePolicy', {
    comment: 'Disclosure notices: keyed by region and language, never by raw country',
    headerBehavior: cloudfront.CacheHeaderBehavior.allowList(REGION_HEADER, 'accept-language', 'accept'),
    queryStringBehavior: cloudfront.CacheQueryStringBehavior.all(),
    cookieBehavior: cloudfront.CacheCookieBehavior.none(),
    minTtl: Duration.seconds(0),
    defaultTtl: Duration.minutes(5),
    maxTtl: Duration.days(365),
    enableAcceptEncodingGzip: true,
    enableAcceptEncodingBrotli: true,
  });
  // The handler resolves the region from the same geo headers; they reach it without entering the cache key.
  // CloudFront policies are account-global: CDK names an origin request policy after the construct
  // path alone, so a second region of one account collided. Stack name and region make it unique.
  const stack = Stack.of(scope);
  const noticeOriginRequestPolicy = new cloudfront.OriginRequestPolicy(scope, 'NoticeOriginRequestPolicy', {
    originRequestPolicyName: `${stack.stackName}-NoticeOriginRequest-${stack.region}`,
    comment: 'Disclosure notices: geo headers to the origin, outside the cache key',
    headerBehavior: cloudfront.OriginRequestHeaderBehavior.allowList('CloudFront-Viewer-Country', 'CloudFront-Viewer-Country-Region'),
    queryStringBehavior: cloudfront.OriginRequestQueryStringBehavior.all(),
    cookieBehavior: cloudfront.OriginRequestCookieBehavior.none(),
  });
  // Every response, cached or not: no MIME sniffing and no framing, whatever the origin sent; a CSP
  // that allows nothing where the origin set none (its own page policy, with the stylesheet's hash, wins).
  const securityHeadersPolicy = new cloudfront.ResponseHeadersPolicy(scope, 'SecurityHeadersPolicy', {
    responseHeadersPolicyName: `${stack.stackName}-SecurityHeaders-${stack.region}`,
    comment: 'Disclosure: nosniff, no framing, a deny-all CSP unless the page brings its own, HSTS',
    securityHeadersBehavior: {
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
      contentSecurityPolicy: { contentSecurityPolicy: "default-src 'none'; frame-ancestors 'none'; base-uri 'none'", override: false },
      referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: false },
      strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: false },
    },
  });
  const origin = new HttpOrigin(Fn.select(2, Fn.split('/', publicApi.apiEndpoint)), {
    protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
    originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
    // The public Lambdas refuse requests without it: the execute-api URL is no way around the edge.
    customHeaders: { [ORIGIN_VERIFY_HEADER]: originVerifyValue },
  });
  const noticeBehavior: cloudfront.BehaviorOptions = {
    origin,
    viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
    allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
    cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD_OPTIONS,
    cachePolicy: noticeCachePolicy,
    originRequestPolicy: noticeOriginRequestPolicy,
    responseHeadersPolicy: securityHeadersPolicy,
    compress: true,
    functionAssociations: [{ function: regionFunction, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
  };
  const logBucket = new s3.Bucket(scope, 'EdgeLogBucket', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    // CloudFront standard logging writes through an ACL grant.
    objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
    lifecycleRules: [{ expiration: Duration.days(90) }],
    removalPolicy: RemovalPolicy.RETAIN,
  });
  acknowledge(logBucket, 'AwsSolutions-S1', 'This bucket only receives CloudFront access logs; logging its own access would log the log writer.');
  const webAclArn = config.webAcl ? buildWebAcl(scope, config.webAcl.rateLimitPer5Minutes).attrArn : config.webAclArn;
  const distribution = new cloudfront.Distribution(scope, 'Distribution', {
    comment: 'Disclosure public API',
    defaultBehavior: {
      origin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      // Account, admin and choice routes: never cached, every viewer header (Authorization included) forwarded.
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: securityHeadersPolicy,
      compress: true,
    },
    additionalBehaviors: {
      '/v1/notices*': noticeBehavior,
      '/v1/openapi.json': noticeBehavior,
    },
    httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
    enableLogging: true,
    logBucket,
    logFilePrefix: 'cloudfront/',
    webAclId: webAclArn,
    ...(config.customDomain
      ? {
          domainNames: [config.customDomain.domainName],
          certificate: acm.Certificate.fromCertificateArn(scope, 'EdgeCertificate', config.customDomain.certificateArn),
          minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
        }
      : {}),
  });
  acknowledge(distribution, 'AwsSolutions-CFR1', 'A privacy notice must be readable from every country; the region is chosen per viewer, not blocked.');
  if (!webAclArn) {
    acknowledge(distribution, 'AwsSolutions-CFR2',
      'No web ACL by default (WAF costs per request); the public routes are read-only or token-bound and API stages are throttled. Pass webAcl (a us-east-1 stack) or webAclArn to attach one.');
  }
  if (!config.customDomain) {
    acknowledge(distribution, 'AwsSolutions-CFR4',
      'The default *.cloudfront.net certificate has a fixed security policy (TLSv1 is the minimum CloudFront reports for it); origin traffic is TLS 1.2 only. Pass customDomain to serve TLSv1.2_2021 at least.');
  }
  return distribution;
};
