// A small CrossGuard pack in TypeScript, typed by @pulumi/policy alone (no
// @pulumi/aws, so `npm ci` stays quick): the preflight's tests run it beside
// the project's Python pack.
import { PolicyPack, ResourceValidationArgs, ReportViolation } from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";

const RDS_INSTANCE = "aws:rds/instance:Instance";

type RdsCheck = (
    props: Record<string, any>,
    args: ResourceValidationArgs,
    report: ReportViolation,
) => void;

// A resource rule that looks at RDS instances only.
function rdsOnly(check: RdsCheck) {
    return (args: ResourceValidationArgs, report: ReportViolation) => {
        if (args.type === RDS_INSTANCE) {
            check(args.props, args, report);
        }
    };
}

new PolicyPack("preflight-test-node-pack", {
    policies: [
        {
            name: "node-rds-multi-az",
            description: "An RDS instance runs in two availability zones.",
            enforcementLevel: "mandatory",
            remediationSteps: "Set multiAz to true.",
            validateResource: rdsOnly((props, _args, report) => {
                if (props.multiAz !== true) {
                    // The stack's name, from the environment the preflight starts the pack with
                    const stack = pulumi.getStack();
                    report(
                        `multiAz is not true in stack ${stack}: ` +
                            "an outage of its zone stops the database.",
                    );
                }
            }),
        },
        {
            name: "node-rds-backup-days",
            description: "An RDS instance keeps its automated backups long enough.",
            enforcementLevel: "advisory",
            configSchema: {
                properties: { minimumDays: { type: "integer", minimum: 0, default: 7 } },
            },
            validateResource: rdsOnly((props, args, report) => {
                const { minimumDays } = args.getConfig<{ minimumDays: number }>();
                const days: number = props.backupRetentionPeriod ?? 0;
                if (days < minimumDays) {
                    // The stack's config, from PULUMI_CONFIG as the CLI passes it
                    const key = new pulumi.Config("bastion-db").get("backupRetentionDays");
                    report(
                        `backupRetentionPeriod is ${days}, below ${minimumDays} days ` +
                            `(bastion-db:backupRetentionDays is ${key}).`,
                    );
                }
            }),
        },
    ],
});
