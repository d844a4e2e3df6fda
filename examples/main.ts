import { NetpolApp } from '../src';
import { NamespaceBaseline } from './namespace-baseline';
import { ThreeTier } from './three-tier';
import { TwoNamespaces } from './two-namespaces';

// `npm run synth` writes one file per chart into dist/, atomically (a failure keeps the old dist/).
const app = new NetpolApp();
new NamespaceBaseline(app, 'namespace-baseline');
new ThreeTier(app, 'three-tier');
new TwoNamespaces(app, 'two-namespaces');
app.synth();
