import { Command, CommanderError } from 'commander';
import { compareCommand } from './commands/compare.js';
import { federationCommand } from './commands/federation.js';
import { rehearseCommand } from './commands/rehearse.js';
import { reportCommand } from './commands/report.js';
import { runCommand } from './commands/run.js';
import { stackCommand } from './commands/stack.js';
import { k8sCommand } from './commands/k8s.js';
import { cleanupCommand } from './commands/cleanup.js';
import { upCommand } from './commands/up.js';

// The `surge` CLI. Errors a user can fix are printed as one line, without a stack.

const program = new Command('surge')
  .description('load-testing and capacity-planning harness for Mastodon instances')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

program.addCommand(rehearseCommand());
program.addCommand(reportCommand());
program.addCommand(compareCommand());
program.addCommand(upCommand());
program.addCommand(runCommand());
program.addCommand(stackCommand());
program.addCommand(k8sCommand());
program.addCommand(cleanupCommand());
program.addCommand(federationCommand());

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode;
  } else {
    process.stderr.write(`surge: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
