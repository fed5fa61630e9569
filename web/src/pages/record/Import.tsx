import { Alert, Button, Card, FileInput, Group, NativeSelect, Progress, Stack, Stepper, Table, Text } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { client, ok } from '../../api/client';
import { FormError, PageHeader } from '../../components/common';
import { OrganisationPicker } from './RecordNav';
import { profileTypesQuery, recordKeys } from './queries';

type Mapping = Record<string, string | null>;

function toBase64(file: File, onProgress: (pct: number) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onprogress = (e) => e.lengthComputable && onProgress(Math.round((e.loaded / e.total) * 100));
    r.onerror = () => reject(new Error('The file could not be read'));
    r.onload = () => resolve(String(r.result).split(',')[1] ?? '');
    r.readAsDataURL(file);
  });
}

/** Import the record a school keeps today: upload, map columns, preview, import all or nothing. */
export default function Import() {
  const queryClient = useQueryClient();
  const [step, setStep] = useState(0);
  const [progress, setProgress] = useState(0);
  const form = useForm<{ org: string; type: string; file: File | null; mapping: Mapping }>({ initialValues: { org: '', type: '', file: null, mapping: {} } });
  const { org, type, file, mapping } = form.getValues();
  const [content, setContent] = useState('');
  const types = useQuery(profileTypesQuery());
  const body = (m?: Mapping) => ({ organisationId: org, fileName: file?.name ?? '', content, mapping: m, profileTypeId: type || undefined });

  // Step 2: check every row under the corrected columns.
  const check = useMutation({ mutationFn: () => ok(client.POST('/api/record/import/preview', { body: body(mapping) })), onSuccess: () => setStep(2) });
  // Step 1: read the file and let the server guess the columns.
  const read = useMutation({
    mutationFn: async (f: File) => {
      setProgress(5);
      const b64 = await toBase64(f, (p) => setProgress(5 + p * 0.45));
      setContent(b64);
      setProgress(60);
      return ok(client.POST('/api/record/import/preview', { body: { organisationId: org, fileName: f.name, content: b64, profileTypeId: type || undefined } }));
    },
    onSuccess: (res) => {
      check.reset(); // a new file: the last check was of the old one
      form.setFieldValue('mapping', res.mapping);
      setProgress(100);
      setStep(1);
    },
    onError: () => setProgress(0),
  });
  // Step 3: import all or nothing.
  const run = useMutation({
    mutationFn: () => {
      setProgress(30);
      return ok(client.POST('/api/record/import', { body: body(mapping) }));
    },
    onSuccess: () => {
      setProgress(100);
      setStep(3);
      return queryClient.invalidateQueries({ queryKey: recordKeys.profiles });
    },
    onError: () => setProgress(0),
  });
  const preview = check.data ?? read.data;
  const error = run.error ?? check.error ?? read.error;
  return (
    <>
      <PageHeader title="Import a spreadsheet" description="CSV or XLSX. Nothing is saved unless every row is valid. Dates like 31/01/2024 and 31-Jan-2024 are understood." />
      <Card withBorder>
        <Stepper active={step} onStepClick={(s) => s < step && setStep(s)}>
          <Stepper.Step label="File">
            <Stack gap="sm" maw={480}>
              <OrganisationPicker value={org} onChange={(v) => form.setFieldValue('org', v)} allowAll={false} label="Import into" />
              <NativeSelect label="Profile type for rows without one" {...form.getInputProps('type')} data={[{ value: '', label: '(from a column)' }, ...(types.data?.items ?? []).map((t) => ({ value: t.id, label: t.name }))]} />
              <FileInput label="Spreadsheet" accept=".csv,.xlsx" {...form.getInputProps('file')} placeholder="Choose a .csv or .xlsx file" />
              <Button onClick={() => file && read.mutate(file)} loading={read.isPending} disabled={!file || !org}>
                Read the file
              </Button>
            </Stack>
          </Stepper.Step>
          <Stepper.Step label="Columns">
            {preview ? (
              <Stack gap="xs">
                <Text size="sm">We guessed what each column holds. Correct anything wrong, or ignore a column.</Text>
                {preview.columns.map((col) => (
                  <NativeSelect key={col} label={col} value={mapping[col] ?? ''} onChange={(e) => form.setFieldValue('mapping', { ...mapping, [col]: e.currentTarget.value || null })} data={[{ value: '', label: '(ignore)' }, ...preview.targets.map((t) => ({ value: t.target, label: t.label }))]} maw={420} />
                ))}
                <Group>
                  <Button onClick={() => check.mutate()} loading={check.isPending}>
                    Preview
                  </Button>
                </Group>
              </Stack>
            ) : null}
          </Stepper.Step>
          <Stepper.Step label="Preview">
            {preview ? (
              <Stack gap="sm">
                {preview.valid ? (
                  <Alert color="green">All {preview.rows} rows are valid.</Alert>
                ) : (
                  <Alert color="red" title={`${new Set(preview.errors.map((e) => e.row)).size} rows need fixing: nothing will be imported until they are`} role="alert">
                    <Table aria-label="Rows with problems">
                      <Table.Tbody>
                        {preview.errors.map((e, i) => (
                          <Table.Tr key={i}>
                            <Table.Td>Row {e.row}</Table.Td>
                            <Table.Td>{e.column ?? ''}</Table.Td>
                            <Table.Td>{e.message}</Table.Td>
                          </Table.Tr>
                        ))}
                      </Table.Tbody>
                    </Table>
                  </Alert>
                )}
                <Table aria-label="Sample rows">
                  <Table.Thead>
                    <Table.Tr>
                      {preview.columns.map((c) => (
                        <Table.Th key={c}>{c}</Table.Th>
                      ))}
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {preview.sample.map((r, i) => (
                      <Table.Tr key={i}>
                        {preview.columns.map((c, j) => (
                          <Table.Td key={c}>{r[j] ?? ''}</Table.Td>
                        ))}
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
                <Group>
                  <Button onClick={() => run.mutate()} loading={run.isPending} disabled={!preview.valid}>
                    Import {preview.rows} profiles
                  </Button>
                </Group>
              </Stack>
            ) : null}
          </Stepper.Step>
          <Stepper.Completed>
            <Alert color="green" title="Imported">
              {run.data?.created} profiles were added. <Link to="/record/profiles">See them</Link>.
            </Alert>
          </Stepper.Completed>
        </Stepper>
        {progress > 0 && progress < 100 ? <Progress value={progress} animated mt="md" aria-label="Progress" /> : null}
        <FormError error={error} />
      </Card>
    </>
  );
}
