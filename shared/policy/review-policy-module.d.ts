/**
 * `#review-policy` is the stage's policy file, validated at build time and
 * inlined into the review bundle as JSON, with the regex engine when its
 * rules need one (build/review-policy-plugin.ts; the
 * vitest config resolves it the same way).
 */
declare module '#review-policy' {
  const policy: import('./policy-document.js').PolicyDocument;
  export default policy;
  /** The rooms manifest's named policies (config/rooms.yaml `policies`), assigned to rooms by the reconciler. */
  export const roomPolicies: Readonly<Record<string, import('./policy-document.js').PolicyDocument>>;
  /** Present when a policy has regex rules. */
  export const compileRegex: import('../rules/compile-policy.js').RegexCompiler | undefined;
}

/** The rooms manifest (config/rooms.yaml), validated at build time and inlined (build/review-policy-plugin.ts). */
declare module '#rooms-manifest' {
  const manifest: import('../rooms/room-manifest.js').RoomManifest;
  export default manifest;
}
