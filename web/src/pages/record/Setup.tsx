import { Tabs } from '@mantine/core';
import { PageHeader } from '../../components/common';
import { RuleSet } from './RuleSet';
import { SetupAccess } from './SetupAccess';
import { SetupChecks } from './SetupChecks';
import { SetupOrganisations } from './SetupOrganisations';
import { SetupProfileTypes } from './SetupProfileTypes';
import { SetupRatingSystems } from './SetupRatingSystems';
import { SetupRetention } from './SetupRetention';

/** The record's settings, one tab per section (each in its own Setup*.tsx): organisations, profile types, checks, rating systems, retention, access, rule set. */
export default function Setup() {
  return (
    <>
      <PageHeader title="Record settings" description="Organisations, profile types, checks (the built-in KCSIE set and your own), rating systems, and deletions due for approval." />
      <Tabs defaultValue="organisations" keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="organisations">Organisations</Tabs.Tab>
          <Tabs.Tab value="types">Profile types</Tabs.Tab>
          <Tabs.Tab value="checks">Checks</Tabs.Tab>
          <Tabs.Tab value="ratings">Rating systems</Tabs.Tab>
          <Tabs.Tab value="retention">Retention</Tabs.Tab>
          <Tabs.Tab value="access">Access</Tabs.Tab>
          <Tabs.Tab value="rule-set">Rule set</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="organisations">
          <SetupOrganisations />
        </Tabs.Panel>
        <Tabs.Panel value="types">
          <SetupProfileTypes />
        </Tabs.Panel>
        <Tabs.Panel value="checks">
          <SetupChecks />
        </Tabs.Panel>
        <Tabs.Panel value="ratings">
          <SetupRatingSystems />
        </Tabs.Panel>
        <Tabs.Panel value="retention">
          <SetupRetention />
        </Tabs.Panel>
        <Tabs.Panel value="access">
          <SetupAccess />
        </Tabs.Panel>
        <Tabs.Panel value="rule-set">
          <RuleSet />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}
