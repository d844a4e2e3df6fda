import { App, AppProps } from 'cdk8s';
import { replaceDirectoryAtomically } from './atomic-directory';

/**
 * A cdk8s `App` whose `synth()` is all-or-nothing: manifests are written to a staging directory
 * that replaces `outdir` only when the whole synth (validation included) succeeded. A failed synth
 * (a validation error, an exception) leaves the previous output exactly as it was, so a GitOps
 * pipeline never pushes half an output; a successful one leaves no stale files behind.
 *
 * @example
 * const app = new NetpolApp({ outdir: 'dist' });
 * new MyChart(app, 'shop');
 * app.synth();
 */
export class NetpolApp extends App {
  constructor(props: AppProps = {}) {
    super(props);
  }

  /** Synthesizes every chart into `outdir`, atomically. */
  public synth(): void {
    const target = this.outdir;
    const writable = this as unknown as { outdir: string };
    replaceDirectoryAtomically(target, (staging) => {
      writable.outdir = staging;
      try {
        super.synth();
      } finally {
        writable.outdir = target;
      }
    });
  }
}
