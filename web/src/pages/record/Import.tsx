import { Alert, Button, Card, FileInput, Group, NativeSelect, Progress, Stack, Stepper, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api';
import { FormError, PageHeader } from '../../components/common';
import { useApi } from '../../hooks';
import { OrganisationPicker } from './RecordNav';
import type { ImportPreview, ProfileType } from './recordApi';

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
  const [step, setStep] = useState(0);
  const [org, setOrg] = useState('');
  const [type, setType] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [content, setContent] = useState('');
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [mapping, setMapping] = useState<Record<string, string | null>>({});
  const [progress, setProgress] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<number | null>(null);
  const types = useApi<{ items: ProfileType[] }>('/api/record/profile-types');
  const body = (m?: Record<string, string | null>) => ({ organisationId: org, fileName: file?.name ?? '', content, mapping: m, profileTypeId: type || undefined });

  const read = async () => {
    if (!file) return;
    setError(null);
    setProgress(5);
    try {
      const b64 = await toBase64(file, (p) => setProgress(5 + p * 0.45));
      setContent(b64);
      setProgress(60);
      const res = await api.post<ImportPreview>('/api/record/import/preview', { organisationId: org, fileName: file.name, content: b64, profileTypeId: type || undefined });
      setPreview(res);
      setMapping(res.mapping);
      setProgress(100);
      setStep(1);
    } catch (err) {
      setError(err);
      setProgress(0);
    }
  };
  const check = async () => {
    setError(null);
    try {
      const res = await api.post<ImportPreview>('/api/record/import/preview', body(mapping));
      setPreview(res);
      setStep(2);
    } catch (err) {
      setError(err);
    }
  };
  const run = async () => {
    setError(null);
    setProgress(30);
    try {
      const res = await api.post<{ created: number }>('/api/record/import', body(mapping));
      setCreated(res.created);
      setProgress(100);
      setStep(3);
    } catch (err) {
      setError(err);
      setProgress(0);
    }
  };
  return (
    <>
      <PageHeader title="Import a spreadsheet" description="CSV or XLSX. Nothing is saved unless every row is valid. Dates like 31/01/2024 and 31-Jan-2024 are understood." />
      <Card withBorder>
        <Stepper active={step} onStepClick={(s) => s < step && setStep(s)}>
          <Stepper.Step label="File">
            <Stack gap="sm" maw={480}>
              <OrganisationPicker value={org} onChange={setOrg} allowAll={false} label="Import into" />
              <NativeSelect label="Profile type for rows without one" value={type} onChange={(e) => setType(e.currentTarget.value)} data={[{ value: '', label: '(from a column)' }, ...(types.data?.items ?? []).map((t) => ({ value: t.id, label: t.name }))]} />
              <FileInput label="Spreadsheet" accept=".csv,.xlsx" value={file} onChange={setFile} placeholder="Choose a .csv or .xlsx file" />
              <Button onClick={() => void read()} disabled={!file || !org}>
                Read the file
              </Button>
            </Stack>
          </Stepper.Step>
          <Stepper.Step label="Columns">
            {preview ? (
              <Stack gap="xs">
                <Text size="sm">We guessed what each column holds. Correct anything wrong, or ignore a column.</Text>
                {preview.columns.map((col) => (
                  <NativeSelect key={col} label={col} value={mapping[col] ?? ''} onChange={(e) => setMapping((m) => ({ ...m, [col]: e.currentTarget.value || null }))} data={[{ value: '', label: '(ignore)' }, ...preview.targets.map((t) => ({ value: t.target, label: t.label }))]} maw={420} />
                ))}
                <Group>
                  <Button onClick={() => void check()}>Preview</Button>
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
                  <Button onClick={() => void run()} disabled={!preview.valid}>
                    Import {preview.rows} profiles
                  </Button>
                </Group>
              </Stack>
            ) : null}
          </Stepper.Step>
          <Stepper.Completed>
            <Alert color="green" title="Imported">
              {created} profiles were added. <Link to="/record/profiles">See them</Link>.
            </Alert>
          </Stepper.Completed>
        </Stepper>
        {progress > 0 && progress < 100 ? <Progress value={progress} animated mt="md" aria-label="Progress" /> : null}
        <FormError error={error} />
      </Card>
    </>
  );
}
