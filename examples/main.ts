import { NetpolApp } from '../src';
import { NamespaceBaseline } from './namespace-baseline';

// `npm run synth` writes one file per chart into dist/, atomically (a failure keeps the old dist/).
const app = new NetpolApp();
new NamespaceBaseline(app, 'namespace-baseline');
app.synth();
