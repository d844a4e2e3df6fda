import * as path from 'path';
import { NetpolApp } from '../src';
import { NamespaceBaseline } from './namespace-baseline';
import { TenServices } from './ten-services';
import { ThreeTier } from './three-tier';
import { TwoNamespaces } from './two-namespaces';

// `npm run synth` writes one file per chart into examples/out/ (or $CDK8S_OUTDIR), atomically: a
// failure keeps the old output. Not dist/: that is the package build's (jsii-pacmak writes dist/js).
const app = new NetpolApp({ outdir: process.env.CDK8S_OUTDIR ?? path.join(__dirname, 'out') });
new NamespaceBaseline(app, 'namespace-baseline');
new ThreeTier(app, 'three-tier');
new TwoNamespaces(app, 'two-namespaces');
new TenServices(app, 'ten-services');
app.synth();
