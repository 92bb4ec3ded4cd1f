// esbuild plugins for serverless-esbuild (custom.esbuild.plugins in serverless.yml).
// The plugin is TypeScript shared with the tests and `npm start`; tsx loads it here.
const { require: requireTs } = require('tsx/cjs/api');

const { reviewPolicyPlugin, DEFAULT_POLICY_FILE, DEFAULT_ROOMS_MANIFEST } = requireTs(
  './review-policy-plugin.ts',
  __filename,
);

module.exports = (serverless) => {
  const policyFile = serverless.service.custom?.reviewPolicy ?? DEFAULT_POLICY_FILE;
  const roomsManifest = serverless.service.custom?.roomsManifest ?? DEFAULT_ROOMS_MANIFEST;
  return [reviewPolicyPlugin(policyFile, serverless.serviceDir, roomsManifest)];
};
