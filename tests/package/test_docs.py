"""docs/package.md's examples: the TypeScript one against the schema the
provider serves (its token, inputs and outputs), the Python ones run under the
SDK's mocks in the fake AWS world."""

from __future__ import annotations

import re

import pytest

from offline.fake_world import LAB_VPC_ID, lab_vpc
from tests.conftest import PROJECT_DIR
from tests.package.mocked import run_program
from tests.package.test_schema import SCHEMA

PAGE = (PROJECT_DIR / "docs" / "package.md").read_text()


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", PAGE, flags=re.DOTALL)


[TYPESCRIPT] = blocks("typescript")


def test_the_typescript_example_imports_the_generated_sdk() -> None:
    assert f'from "@pulumi/{SCHEMA["name"]}"' in TYPESCRIPT


def test_the_typescript_example_uses_a_resource_of_the_schema() -> None:
    used = re.findall(r"new bastionDb\.(\w+)\(", TYPESCRIPT)
    assert used and all(f"{SCHEMA['name']}:index:{name}" in SCHEMA["resources"] for name in used)


def test_the_typescript_example_passes_only_inputs_of_the_schema() -> None:
    [arguments] = re.findall(
        r"new bastionDb\.BastionDatabase\(\"\w+\", \{(.*?)\n\}\);", TYPESCRIPT, re.DOTALL
    )
    names = re.findall(r"^\s+(\w+):", arguments, flags=re.MULTILINE)
    inputs = SCHEMA["resources"]["bastion-db:index:BastionDatabase"]["inputProperties"]
    assert names and [n for n in names if n not in inputs] == []
    assert "vpcId" in names  # the one required input


def test_the_typescript_example_passes_accepted_enum_values() -> None:
    resource = SCHEMA["resources"]["bastion-db:index:BastionDatabase"]
    for name, value in re.findall(r"^\s+(\w+): \"([^\"]*)\",", TYPESCRIPT, flags=re.MULTILINE):
        ref = resource["inputProperties"][name].get("$ref", "")
        if ref:
            enum = SCHEMA["types"][ref.removeprefix("#/types/")]["enum"]
            assert value in {member["value"] for member in enum}, name


def test_the_typescript_example_reads_only_outputs_of_the_schema() -> None:
    read = re.findall(r"analytics\.(\w+);", TYPESCRIPT)
    outputs = SCHEMA["resources"]["bastion-db:index:BastionDatabase"]["properties"]
    assert read and [n for n in read if n not in outputs] == []


@pytest.mark.parametrize("index", range(len(blocks("python"))))
def test_each_python_example_runs_in_the_lab_vpc(index: int) -> None:
    code = blocks("python")[index]
    # The page's ids are the lab VPC's, as the fake world has them.
    assert LAB_VPC_ID in code
    for subnet in re.findall(r"subnet-[0-9a-f]+", code):
        assert subnet in {s.id for s in lab_vpc().subnets}
    resources = run_program(lambda: exec(compile(code, "docs/package.md", "exec"), {}))
    assert any(r.type == "aws:rds/instance:Instance" for r in resources)
