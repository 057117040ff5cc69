// Where Cucumber's time goes: reads a Cucumber JSON report (`--format json:<file>`) and prints the
// slowest scenarios, each with its slowest step (what it waits on).
//   npm run test:features -- --format json:cucumber.json && npx tsx test/support/cucumber-timings.ts cucumber.json [count]
import { readFileSync } from 'node:fs';

interface Step {
  keyword: string;
  name?: string;
  result: { duration?: number; status: string };
}
interface Element {
  name: string;
  type: string;
  steps: Step[];
}
interface Feature {
  uri: string;
  elements: Element[];
}

const [file, countText = '20'] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: tsx test/support/cucumber-timings.ts <cucumber.json> [count]\n');
  process.exit(2);
}
const seconds = (ns: number): number => Math.round(ns / 1e8) / 10;
const features = JSON.parse(readFileSync(file, 'utf8')) as Feature[];
const scenarios = features.flatMap((feature) =>
  feature.elements
    .filter((element) => element.type === 'scenario')
    .map((element) => {
      const steps = element.steps.map((step) => ({ text: `${step.keyword.trim()} ${step.name ?? '(hook)'}`, ns: step.result.duration ?? 0 }));
      const slowest = steps.reduce((a, b) => (b.ns > a.ns ? b : a), { text: '', ns: 0 });
      return { where: `${feature.uri} › ${element.name}`, ns: steps.reduce((sum, step) => sum + step.ns, 0), slowest };
    }),
);
scenarios.sort((a, b) => b.ns - a.ns);
const total = scenarios.reduce((sum, scenario) => sum + scenario.ns, 0);
process.stdout.write(`${scenarios.length} scenarios, ${seconds(total)} s in all (the sum of scenario times, not the wall time of a parallel run)\n`);
for (const scenario of scenarios.slice(0, Number(countText))) {
  process.stdout.write(`${String(seconds(scenario.ns)).padStart(6)} s  ${scenario.where}  (slowest step ${seconds(scenario.slowest.ns)} s: ${scenario.slowest.text.slice(0, 90)})\n`);
}
